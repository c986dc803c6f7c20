package io.onerec.libtorch.reward;

import io.onerec.testing.SharedData;
import io.onerec.api.UserHistory;
import io.onerec.tools.data.Datasets;
import io.onerec.tools.data.InteractionSequences;
import io.onerec.tools.reward.Auc;
import io.onerec.api.reward.RewardExample;
import io.onerec.api.reward.RewardModelConfig;
import io.onerec.cpu.reward.CpuRewardModel;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Real feedback: MovieLens-100K ratings, "like" = rating >= 4. The reward model sees a user's previous movies and
 * one candidate, and must predict the like on users it never saw (the last 15% of users).
 */
class MovieLensRewardTest {
    static final int PER_USER = 40, HISTORY = 20;

    static List<RewardExample> examples(InteractionSequences ml, int fromUser, int toUser, Random r) {
        List<RewardExample> out = new ArrayList<>();
        for (int u = fromUser; u < toUser; u++) {
            int[] seq = ml.sequence(u);
            float[] ratings = ml.ratings(u);
            List<Integer> positions = new ArrayList<>();
            for (int t = 5; t < seq.length; t++) positions.add(t);
            java.util.Collections.shuffle(positions, r);
            for (int t : positions.subList(0, Math.min(PER_USER, positions.size()))) {
                int[] hist = Arrays.copyOfRange(seq, Math.max(0, t - HISTORY), t);
                out.add(new RewardExample(new UserHistory(u, hist), new int[]{seq[t]}, new float[]{ratings[t] >= 4 ? 1f : 0f}));
            }
        }
        return out;
    }

    @Test
    void predictsLikesOfUnseenUsers() {
        InteractionSequences ml = Datasets.movieLens100k(SharedData.movieLens100k());
        int split = (int) (ml.userCount() * 0.85);
        Random r = new Random(1);
        List<RewardExample> train = examples(ml, 0, split, r), test = examples(ml, split, ml.userCount(), r);
        RewardModelConfig cfg = new RewardModelConfig(ml.itemCount(), 8, HISTORY, List.of("like"), 32,
                RewardModelConfig.Fusion.WEIGHTED, new double[]{1.0}, 0);
        TorchRewardModel model = TorchRewardModel.initialize(cfg, null, 2);
        new RewardTrainer(model, new RewardTrainerConfig(2, 128, 5e-3, 1e-3, 3), null).fit(train);
        CpuRewardModel cpu = new CpuRewardModel(cfg, model.hostTensors());

        double[] scores = new double[test.size()], itemMean = new double[test.size()];
        boolean[] liked = new boolean[test.size()];
        // Baseline: the candidate's like rate in the training examples (a strong popularity-style signal).
        double[] likes = new double[ml.itemCount()], shown = new double[ml.itemCount()];
        for (RewardExample e : train) {
            likes[e.items()[0]] += e.label(0);
            shown[e.items()[0]]++;
        }
        for (int i = 0; i < test.size(); i++) {
            RewardExample e = test.get(i);
            scores[i] = cpu.score(e.user(), List.of(e.items())).fused()[0];
            int item = e.items()[0];
            itemMean[i] = (likes[item] + 1) / (shown[item] + 2);
            liked[i] = e.label(0) > 0.5f;
        }
        double auc = Auc.of(scores, liked), baseline = Auc.of(itemMean, liked);
        System.out.printf("ML-100K like AUC on %d held-out examples: reward model %.4f, item like-rate baseline %.4f (%d train examples)%n",
                test.size(), auc, baseline, train.size());
        assertTrue(auc > 0.65, "reward model AUC " + auc);
    }
}

package io.onerec.examples;

import io.onerec.tools.data.Datasets;
import io.onerec.tools.data.InteractionSequences;
import io.onerec.tools.reward.Auc;
import io.onerec.tools.reward.ItemRateBaseline;
import io.onerec.tools.reward.LikeExamples;
import io.onerec.api.reward.RewardExample;
import io.onerec.api.reward.RewardModelConfig;
import io.onerec.cpu.reward.CpuRewardModel;
import io.onerec.libtorch.reward.RewardTrainer;
import io.onerec.libtorch.reward.RewardTrainerConfig;
import io.onerec.libtorch.reward.TorchRewardModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The reward model on real feedback: MovieLens-100K, like = rating >= 4, one "like" tower, evaluated by AUC on the
 * last 15% of users (never seen in training) against the per-item like-rate baseline fitted on the same training
 * examples (docs/reward-model.md). Flags switch the model's parts off for the ablation there.
 */
public final class MovieLensRewardExample {
    private static final Logger LOG = LoggerFactory.getLogger(MovieLensRewardExample.class);

    private MovieLensRewardExample() {
    }

    public static void main(String[] args) {
        List<Long> seeds = new ArrayList<>(List.of(1L, 2L, 3L));
        int epochs = 2, dModel = 8, towerHidden = 32, history = 20, perUser = 40;
        double lr = 5e-3, weightDecay = 1e-3;
        boolean historyFeedback = true, itemBias = true, itemBiasFromCounts = true, validation = false;
        FlagReader f = new FlagReader(args);
        while (f.next()) {
            switch (f.flag()) {
                case "--seeds" -> {
                    seeds.clear();
                    for (String s : f.text().split(",")) {
                        try {
                            seeds.add(Long.parseLong(s.trim()));
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("--seeds takes comma-separated integers, got '" + s + "'");
                        }
                    }
                }
                case "--epochs" -> epochs = f.count(1);
                case "--d-model" -> dModel = f.count(1);
                case "--tower-hidden" -> towerHidden = f.count(1);
                case "--history" -> history = f.count(1);
                case "--per-user" -> perUser = f.count(1);
                case "--lr" -> lr = f.positive();
                case "--weight-decay" -> weightDecay = f.nonNegative();
                case "--no-history-feedback" -> historyFeedback = false;
                case "--no-item-bias" -> itemBias = false;
                case "--item-bias-from-zero" -> itemBiasFromCounts = false;
                case "--validation" -> validation = true;
                default -> throw f.unknown("--seeds S1,S2,... --epochs N --d-model N --tower-hidden N --history N --per-user N"
                        + " --lr LR --weight-decay W --no-history-feedback --no-item-bias --item-bias-from-zero --validation");
            }
        }
        InteractionSequences ml = Datasets.movieLens100k(Datasets.dataDir());
        int split = (int) (ml.userCount() * 0.85);
        // With --validation the last 10% of the training users are held out for early stopping (patience 2).
        int fitUsers = validation ? (int) (split * 0.9) : split;
        LikeExamples likes = new LikeExamples(perUser, 5, history, 4f, historyFeedback);
        RewardModelConfig cfg = new RewardModelConfig(ml.itemCount(), dModel, history, List.of("like"), towerHidden,
                RewardModelConfig.Fusion.WEIGHTED, new double[]{1.0}, 0, itemBias, historyFeedback);
        LOG.info("{}; {} users for training ({} fitted, {} validation), {} unseen test users", cfg, split, fitUsers,
                split - fitUsers, ml.userCount() - split);
        double sumModel = 0, sumBaseline = 0, sumGap = 0, sumGap2 = 0;
        for (long seed : seeds) {
            Random rnd = new Random(seed);
            List<RewardExample> fit = likes.build(ml, 0, fitUsers, rnd), held = likes.build(ml, fitUsers, split, rnd),
                    test = likes.build(ml, split, ml.userCount(), rnd);
            List<RewardExample> train = new ArrayList<>(fit);
            train.addAll(held);
            long start = System.nanoTime();
            TorchRewardModel model = TorchRewardModel.initialize(cfg, null, seed + 1);
            RewardTrainerConfig tc = new RewardTrainerConfig(validation ? Math.max(epochs, 8) : epochs, 128, lr, weightDecay,
                    seed + 2, validation ? 2 : epochs, itemBiasFromCounts);
            RewardTrainer.Fit result = new RewardTrainer(model, tc, null).fit(fit, held);
            double seconds = (System.nanoTime() - start) / 1e9;
            CpuRewardModel scorer = new CpuRewardModel(cfg, model.hostTensors());
            ItemRateBaseline baseline = ItemRateBaseline.fit(train, ml.itemCount(), 0);
            double[] modelScores = new double[test.size()], baselineScores = new double[test.size()];
            boolean[] liked = new boolean[test.size()];
            for (int i = 0; i < test.size(); i++) {
                RewardExample e = test.get(i);
                modelScores[i] = scorer.score(e.user(), List.of(e.items())).fused()[0];
                baselineScores[i] = baseline.score(e.items());
                liked[i] = e.label(0) > 0.5f;
            }
            double aucModel = Auc.of(modelScores, liked), aucBaseline = Auc.of(baselineScores, liked);
            LOG.info("seed {}: reward model AUC {}, item like-rate baseline AUC {} ({} training examples, {} test examples of "
                            + "unseen users; kept epoch {} of {}, {} s of training)", seed, String.format("%.4f", aucModel),
                    String.format("%.4f", aucBaseline), train.size(), test.size(), result.bestEpoch(), result.epochsRun(),
                    String.format("%.0f", seconds));
            sumModel += aucModel;
            sumBaseline += aucBaseline;
            sumGap += aucModel - aucBaseline;
            sumGap2 += (aucModel - aucBaseline) * (aucModel - aucBaseline);
        }
        int n = seeds.size();
        double gap = sumGap / n, sd = n > 1 ? Math.sqrt(Math.max(0, (sumGap2 - n * gap * gap) / (n - 1))) : Double.NaN;
        LOG.info("mean over {} seeds: reward model AUC {}, item like-rate baseline AUC {}, difference {} (sd {})", n,
                String.format("%.4f", sumModel / n), String.format("%.4f", sumBaseline / n), String.format("%+.4f", gap),
                String.format("%.4f", sd));
    }
}

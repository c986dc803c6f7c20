package io.onerec.libtorch.reward;

import io.onerec.api.ProgressListener;
import io.onerec.api.TrainingProgress;
import io.onerec.api.UserHistory;
import io.onerec.api.reward.RewardExample;
import io.onerec.api.reward.RewardModelConfig;
import io.onerec.libtorch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/**
 * Trains a {@link TorchRewardModel} on logged feedback: binary cross-entropy per tower (summed over towers), plus,
 * for the MLP fusion, a cross-entropy of the fused score against the weighted mean of the labels; the fusion MLP
 * sees the towers' probabilities detached, so it learns to combine them without bending them.
 */
public final class RewardTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(RewardTrainer.class);

    private final TorchRewardModel model;
    private final RewardTrainerConfig config;
    private final ProgressListener progress;
    private final AdamW optimizer;

    public RewardTrainer(TorchRewardModel model, RewardTrainerConfig config, ProgressListener progress) {
        this.model = model;
        this.config = config;
        this.progress = progress == null ? ProgressListener.NONE : progress;
        AdamWOptions opts = new AdamWOptions(config.learningRate());
        opts.weight_decay().put(config.weightDecay());
        this.optimizer = new AdamW(model.parameters(), opts);
    }

    /** Trains for the configured epochs; returns the mean loss of the last epoch. */
    public double fit(List<RewardExample> examples) {
        if (examples.isEmpty()) throw new IllegalArgumentException("no training examples");
        int k = model.config().objectiveCount();
        for (RewardExample e : examples) {
            if (e.labels().length != k) {
                throw new IllegalArgumentException("example has " + e.labels().length + " labels, the model has " + k + " objectives");
            }
        }
        // Batches never mix session lengths (the self-attention has no session mask).
        Map<Integer, List<RewardExample>> byLength = new TreeMap<>();
        for (RewardExample e : examples) byLength.computeIfAbsent(e.items().length, x -> new ArrayList<>()).add(e);
        Random rnd = new Random(config.seed());
        double epochLoss = Double.NaN;
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            List<List<RewardExample>> batches = new ArrayList<>();
            for (List<RewardExample> group : byLength.values()) {
                List<RewardExample> g = new ArrayList<>(group);
                Collections.shuffle(g, rnd);
                for (int from = 0; from < g.size(); from += config.batchSize()) {
                    batches.add(g.subList(from, Math.min(g.size(), from + config.batchSize())));
                }
            }
            Collections.shuffle(batches, rnd);
            double sum = 0;
            for (int b = 0; b < batches.size(); b++) {
                sum += step(batches.get(b));
                if (b % 50 == 0) progress.onProgress(new TrainingProgress("reward/epoch-" + epoch, b, batches.size(), sum / (b + 1), Map.of()));
            }
            epochLoss = sum / batches.size();
            LOG.info("reward epoch {}: mean loss {}", epoch, String.format("%.4f", epochLoss));
            progress.onProgress(new TrainingProgress("reward/train", epoch, config.epochs(), epochLoss, Map.of()));
        }
        return epochLoss;
    }

    /** One AdamW step; returns the batch loss. */
    public double step(List<RewardExample> batch) {
        try (PointerScope scope = new PointerScope()) {
            Tensor loss = loss(batch);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            return loss.item_float();
        }
    }

    /** Summed per-tower BCE (mean over the batch), plus the fusion MLP's BCE when there is one. */
    Tensor loss(List<RewardExample> batch) {
        RewardModelConfig c = model.config();
        int b = batch.size(), k = c.objectiveCount();
        List<UserHistory> users = new ArrayList<>(b);
        List<int[]> sessions = new ArrayList<>(b);
        float[] y = new float[b * k];
        float[] fusedTarget = new float[b];
        double[] w = c.fusionWeights();
        double wSum = 0;
        for (double x : w) wSum += x;
        for (int i = 0; i < b; i++) {
            RewardExample e = batch.get(i);
            users.add(e.user());
            sessions.add(e.items());
            double t = 0;
            for (int o = 0; o < k; o++) {
                y[i * k + o] = e.label(o);
                t += w[o] * e.label(o);
            }
            fusedTarget[i] = (float) Math.min(1, Math.max(0, t / wSum));
        }
        Tensor logits = model.towerLogits(model.batch(users, sessions));
        Tensor loss = bceWithLogits(logits, Torch.floats(y, b, k)).mul(Torch.scalar(k));
        if (c.fusion() == RewardModelConfig.Fusion.MLP) {
            Tensor fusedLogit = model.mlp(logits.sigmoid().detach(), "fusion.").view(-1);
            loss = loss.add(bceWithLogits(fusedLogit, Torch.floats(fusedTarget, b)));
        }
        return loss;
    }

    /** Mean of max(z, 0) - z y + log(1 + exp(-|z|)): the numerically stable BCE on logits. */
    static Tensor bceWithLogits(Tensor z, Tensor y) {
        return z.clamp_min(Torch.scalar(0)).sub(z.mul(y)).add(z.abs().neg().exp().log1p()).mean();
    }
}

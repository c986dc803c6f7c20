package io.onerec.libtorch.reward;

import io.onerec.api.ProgressListener;
import io.onerec.api.TrainingProgress;
import io.onerec.api.UserHistory;
import io.onerec.api.checkpoint.HostTensor;
import io.onerec.api.reward.RewardExample;
import io.onerec.api.reward.RewardModelConfig;
import io.onerec.libtorch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.NoGradGuard;
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

    /**
     * What a fit did.
     *
     * @param epochsRun      epochs trained
     * @param bestEpoch      the epoch whose weights the model holds (the last one without validation examples)
     * @param trainLoss      mean training loss of that epoch
     * @param validationLoss validation loss of that epoch; NaN without validation examples
     */
    public record Fit(int epochsRun, int bestEpoch, double trainLoss, double validationLoss) {
    }

    /** Trains for the configured epochs; returns the mean loss of the last epoch. */
    public double fit(List<RewardExample> examples) {
        return fit(examples, List.of()).trainLoss();
    }

    /**
     * Trains for at most the configured epochs. With validation examples (e.g. the sessions of some training users
     * held out), measures the validation loss after every epoch, stops after {@code patience} epochs without a lower
     * one, and leaves the model holding the best epoch's weights.
     */
    public Fit fit(List<RewardExample> examples, List<RewardExample> validation) {
        if (examples.isEmpty()) throw new IllegalArgumentException("no training examples");
        checkLabels(examples);
        checkLabels(validation);
        if (config.itemBiasFromCounts() && model.config().itemBias()) initializeItemBias(examples);
        Random rnd = new Random(config.seed());
        List<List<RewardExample>> validationBatches = batches(validation, new Random(0));
        double epochLoss = Double.NaN, bestLoss = Double.POSITIVE_INFINITY, bestTrainLoss = Double.NaN;
        int bestEpoch = 0, epoch = 0;
        Map<String, HostTensor> best = null;
        while (epoch < config.epochs() && epoch - bestEpoch < config.patience()) {
            epoch++;
            List<List<RewardExample>> batches = batches(examples, rnd);
            double sum = 0;
            for (int b = 0; b < batches.size(); b++) {
                sum += step(batches.get(b));
                if (b % 50 == 0) progress.onProgress(new TrainingProgress("reward/epoch-" + epoch, b, batches.size(), sum / (b + 1), Map.of()));
            }
            epochLoss = sum / batches.size();
            if (validationBatches.isEmpty()) {
                bestEpoch = epoch;
                bestTrainLoss = epochLoss;
                LOG.info("reward epoch {}: mean loss {}", epoch, String.format("%.4f", epochLoss));
                progress.onProgress(new TrainingProgress("reward/train", epoch, config.epochs(), epochLoss, Map.of()));
                continue;
            }
            double validationLoss = validationLoss(validationBatches, validation.size());
            LOG.info("reward epoch {}: mean loss {}, validation loss {}", epoch, String.format("%.4f", epochLoss),
                    String.format("%.4f", validationLoss));
            progress.onProgress(new TrainingProgress("reward/train", epoch, config.epochs(), epochLoss,
                    Map.of("validation_loss", validationLoss)));
            if (validationLoss < bestLoss) {
                bestLoss = validationLoss;
                bestEpoch = epoch;
                bestTrainLoss = epochLoss;
                best = model.hostTensors();
            }
        }
        if (best != null && bestEpoch != epoch) {
            model.overwrite(best);
            LOG.info("reward: kept epoch {} of {} (validation loss {})", bestEpoch, epoch, String.format("%.4f", bestLoss));
        }
        return new Fit(epoch, bestEpoch, bestTrainLoss, validationBatches.isEmpty() ? Double.NaN : bestLoss);
    }

    private void checkLabels(List<RewardExample> examples) {
        int k = model.config().objectiveCount();
        for (RewardExample e : examples) {
            if (e.labels().length != k) {
                throw new IllegalArgumentException("example has " + e.labels().length + " labels, the model has " + k + " objectives");
            }
        }
    }

    /** Shuffled batches that never mix session lengths (the self-attention has no session mask). */
    private List<List<RewardExample>> batches(List<RewardExample> examples, Random rnd) {
        Map<Integer, List<RewardExample>> byLength = new TreeMap<>();
        for (RewardExample e : examples) byLength.computeIfAbsent(e.items().length, x -> new ArrayList<>()).add(e);
        List<List<RewardExample>> batches = new ArrayList<>();
        for (List<RewardExample> group : byLength.values()) {
            List<RewardExample> g = new ArrayList<>(group);
            Collections.shuffle(g, rnd);
            for (int from = 0; from < g.size(); from += config.batchSize()) {
                batches.add(g.subList(from, Math.min(g.size(), from + config.batchSize())));
            }
        }
        Collections.shuffle(batches, rnd);
        return batches;
    }

    /** The training loss over the validation examples, without gradients. */
    private double validationLoss(List<List<RewardExample>> batches, int count) {
        double sum = 0;
        for (List<RewardExample> batch : batches) {
            try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
                sum += loss(batch).item_float() * batch.size();
            }
        }
        return sum / count;
    }

    /**
     * Sets each item's bias per objective to the smoothed log-odds of the labels of the training sessions holding
     * it, {@code log((pos + 1) / (neg + 1))}, less the log-odds of all labels, which go to the towers' output bias;
     * items in no training session keep bias 0. The towers then start from what a per-item rate knows and learn the
     * rest.
     */
    void initializeItemBias(List<RewardExample> examples) {
        RewardModelConfig c = model.config();
        int k = c.objectiveCount(), n = c.itemCount();
        double[] pos = new double[n * k], shown = new double[n * k], allPos = new double[k];
        for (RewardExample e : examples) {
            int[] items = e.items();
            for (int o = 0; o < k; o++) {
                allPos[o] += e.label(o);
                for (int item : items) {
                    pos[item * k + o] += e.label(o);
                    shown[item * k + o]++;
                }
            }
        }
        float[] bias = new float[n * k];
        Map<String, HostTensor> values = new java.util.LinkedHashMap<>();
        for (int o = 0; o < k; o++) {
            double global = Math.log((allPos[o] + 1) / (examples.size() - allPos[o] + 1));
            for (int i = 0; i < n; i++) {
                int at = i * k + o;
                if (shown[at] > 0) bias[at] = (float) (Math.log((pos[at] + 1) / (shown[at] - pos[at] + 1)) - global);
            }
            values.put("towers." + c.objectives().get(o) + ".fc2.bias", HostTensor.of(new float[]{(float) global}, 1));
        }
        values.put("item_bias", HostTensor.of(bias, n, k));
        model.overwrite(values);
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

package io.onerec.libtorch.generator;

import io.onerec.api.GenerationConfig;
import io.onerec.api.ProgressListener;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.TrainingProgress;
import io.onerec.api.UserHistory;
import io.onerec.api.data.NextItemExample;
import io.onerec.api.eval.BatchRecommender;
import io.onerec.api.eval.EvaluationResult;
import io.onerec.api.eval.Evaluator;
import io.onerec.api.generator.GeneratorTokens;
import io.onerec.libtorch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Next-token training of the generator: restricted cross-entropy on every SID code of the target session, AdamW
 * with linear warm-up and cosine decay, global gradient clipping, periodic validation Recall/NDCG through
 * constrained beam search, early stopping on NDCG@10 with the best weights restored.
 */
public final class GeneratorTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(GeneratorTrainer.class);

    private final GeneratorModel model;
    private final SemanticIdCodec codec;
    private final GeneratorTokens vocab;
    private final TrainerConfig config;
    private final ProgressListener progress;
    private final AdamW optimizer;
    private long step;
    private long totalSteps = 1;
    private Path checkpointDir;

    public GeneratorTrainer(GeneratorModel model, SemanticIdCodec codec, TrainerConfig config, ProgressListener progress) {
        this.model = model;
        this.codec = codec;
        this.vocab = new GeneratorTokens(model.config(), codec);
        this.config = config;
        this.progress = progress == null ? ProgressListener.NONE : progress;
        AdamWOptions opts = new AdamWOptions(config.learningRate());
        opts.weight_decay().put(config.weightDecay());
        this.optimizer = new AdamW(model.parameters(), opts);
    }

    /**
     * Saves the model (doc layout, kind {@value GeneratorModel#KIND}) to {@code dir} whenever validation NDCG@10
     * improves, and at the end of training when there is no validation; null disables.
     */
    public GeneratorTrainer checkpointTo(Path dir) {
        this.checkpointDir = dir;
        return this;
    }

    /** What a training run reached. */
    public record Result(int epochs, long steps, double lastLoss, int bestEpoch, EvaluationResult bestValidation, Duration time) {
    }

    /** Trains on next-item examples, validating on {@code validation} (may be empty to skip validation). */
    public Result fit(List<NextItemExample> train, List<NextItemExample> validation, int itemCount) {
        return fitSessions(SessionExample.nextItem(train), validation, itemCount);
    }

    public Result fitSessions(List<SessionExample> train, List<NextItemExample> validation, int itemCount) {
        return fitLoop(train, this::trainStep, validation, itemCount);
    }

    /**
     * Trains a causal-encoder model on windows of users' training sequences (see {@link SequenceExample#windows}):
     * each step encodes {@code batchSize} windows once and trains on all of their targets.
     */
    public Result fitSequences(List<SequenceExample> train, List<NextItemExample> validation, int itemCount) {
        if (!model.config().causalEncoder()) {
            throw new IllegalArgumentException("fitSequences needs a model with a causal encoder; use fit for a bidirectional one");
        }
        return fitLoop(train, batch -> optimizerStep(() -> sequenceLoss(batch)), validation, itemCount);
    }

    private <T> Result fitLoop(List<T> train, java.util.function.ToDoubleFunction<List<T>> trainBatch,
                               List<NextItemExample> validation, int itemCount) {
        if (train.isEmpty()) throw new IllegalArgumentException("no training examples");
        long start = System.nanoTime();
        List<T> order = new ArrayList<>(train);
        Random rnd = new Random(config.seed());
        int batchesPerEpoch = (order.size() + config.batchSize() - 1) / config.batchSize();
        long firstStep = step, plannedSteps = (long) batchesPerEpoch * config.maxEpochs();
        totalSteps = firstStep + plannedSteps;
        // A seeded random sample: the first users of a file are not a random sample of them.
        List<NextItemExample> evalSet = Evaluator.sample(validation, config.evalUsers(), config.seed());
        boolean validate = config.evalEvery() > 0 && !evalSet.isEmpty();
        double bestNdcg = -1;
        int bestEpoch = 0, sinceBest = 0, epoch = 0;
        EvaluationResult best = null;
        GeneratorModel bestWeights = null;
        double lastLoss = Double.NaN;
        while (epoch < config.maxEpochs()) {
            epoch++;
            Collections.shuffle(order, rnd);
            double lossSum = 0;
            int lossCount = 0;
            boolean outOfTime = false;
            for (int b = 0; b < batchesPerEpoch && !outOfTime; b++) {
                List<T> batch = order.subList(b * config.batchSize(), Math.min(order.size(), (b + 1) * config.batchSize()));
                lastLoss = trainBatch.applyAsDouble(batch);
                lossSum += lastLoss;
                lossCount++;
                if (b % 50 == 0) {
                    progress.onProgress(new TrainingProgress("generator/epoch-" + epoch, b, batchesPerEpoch, lastLoss, Map.of("lr", currentLr())));
                }
                if (config.timeBudget() != null) {
                    // Checked per step so that a budget holds even when one epoch takes longer than the budget.
                    long elapsed = System.nanoTime() - start, budget = config.timeBudget().toNanos();
                    outOfTime = elapsed > budget;
                    // The learning-rate schedule spans the steps that fit in the budget at the measured pace.
                    long done = step - firstStep;
                    if (done >= 20) totalSteps = firstStep + Math.min(plannedSteps, (long) ((double) done * budget / elapsed));
                }
            }
            double epochLoss = lossSum / lossCount;
            LOG.info("epoch {}: mean loss {}", epoch, String.format("%.4f", epochLoss));
            if (validate && (epoch % config.evalEvery() == 0 || outOfTime || epoch == config.maxEpochs())) {
                EvaluationResult r = evaluate(evalSet, itemCount, config.evalBeam());
                progress.onProgress(new TrainingProgress("generator/validation", epoch, config.maxEpochs(), epochLoss, r.asMap()));
                LOG.info("epoch {}: validation {}", epoch, r);
                if (r.ndcg(10) > bestNdcg) {
                    bestNdcg = r.ndcg(10);
                    best = r;
                    bestEpoch = epoch;
                    sinceBest = 0;
                    bestWeights = model.copy(false);
                    if (checkpointDir != null) {
                        model.save(checkpointDir);
                        LOG.info("epoch {}: best so far, checkpoint written to {}", epoch, checkpointDir);
                    }
                } else if (++sinceBest >= config.patience()) {
                    LOG.info("early stop after epoch {}: no NDCG@10 gain for {} validations", epoch, sinceBest);
                    break;
                }
            }
            if (outOfTime) {
                LOG.info("time budget {} reached in epoch {} after {} steps", config.timeBudget(), epoch, step);
                break;
            }
        }
        if (bestWeights != null && bestEpoch != epoch) {
            LOG.info("restoring the weights of epoch {} (validation NDCG@10 {})", bestEpoch, String.format("%.4f", bestNdcg));
            model.loadWeightsFrom(bestWeights);
        }
        if (checkpointDir != null && bestWeights == null) model.save(checkpointDir);
        return new Result(epoch, step, lastLoss, bestEpoch, best, Duration.ofNanos(System.nanoTime() - start));
    }

    /** One optimiser step on a batch; returns the next-token loss. */
    public double trainStep(List<SessionExample> batch) {
        return optimizerStep(() -> ntpLoss(batch));
    }

    /**
     * One optimiser step on any scalar loss built from this trainer's model (e.g. next-token loss plus a DPO or
     * reasoning term): backward, gradient clipping, scheduled learning rate, AdamW update. The loss is built inside
     * this step's {@link PointerScope}, so its tensors are freed when the step ends; returns the loss value.
     */
    public double optimizerStep(java.util.function.Supplier<Tensor> lossFn) {
        try (PointerScope scope = new PointerScope()) {
            Tensor loss = lossFn.get();
            optimizer.zero_grad();
            loss.backward();
            Torch.clipGradNorm(model.parameterList(), config.clipNorm());
            setLr(learningRateAt(step));
            optimizer.step();
            step++;
            return loss.item_float();
        }
    }

    /** Mean restricted cross-entropy over all target codes (+ weighted MoE balancing loss); with gradients. */
    public Tensor ntpLoss(List<SessionExample> batch) {
        List<UserHistory> users = new ArrayList<>(batch.size());
        List<int[]> sessions = new ArrayList<>(batch.size());
        for (SessionExample e : batch) {
            users.add(e.history());
            sessions.add(e.items());
        }
        SessionLogProbs.Result r = SessionLogProbs.compute(model, vocab, users, sessions, config.dropout());
        Tensor loss = r.tokenLogProbs().mean().neg();
        if (r.auxLoss() != null && config.moeAuxWeight() > 0) {
            loss = loss.add(r.auxLoss().mul(Torch.scalar(config.moeAuxWeight())));
        }
        return loss;
    }

    /** Mean cross-entropy over every code of every target of the windows (+ weighted MoE balancing loss). */
    public Tensor sequenceLoss(List<SequenceExample> batch) {
        SessionLogProbs.Result r = SessionLogProbs.computeSequences(model, vocab, batch, config.dropout());
        Tensor loss = r.tokenLogProbs().mean().neg();
        if (r.auxLoss() != null && config.moeAuxWeight() > 0) {
            loss = loss.add(r.auxLoss().mul(Torch.scalar(config.moeAuxWeight())));
        }
        return loss;
    }

    /** Mean next-token loss (without the MoE term) over examples, without gradients or weight updates. */
    public double meanLoss(List<SessionExample> examples) {
        double sum = 0;
        long codes = 0;
        for (int from = 0; from < examples.size(); from += config.batchSize()) {
            List<SessionExample> batch = examples.subList(from, Math.min(examples.size(), from + config.batchSize()));
            try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
                List<UserHistory> users = new ArrayList<>(batch.size());
                List<int[]> sessions = new ArrayList<>(batch.size());
                for (SessionExample e : batch) {
                    users.add(e.history());
                    sessions.add(e.items());
                }
                Tensor lp = SessionLogProbs.compute(model, vocab, users, sessions).tokenLogProbs();
                sum -= lp.sum().item_double();
                codes += lp.numel();
            }
        }
        if (codes == 0) throw new IllegalArgumentException("no examples");
        return sum / codes;
    }

    /** Validation metrics with constrained beam search. */
    public EvaluationResult evaluate(List<NextItemExample> examples, int itemCount, int beam) {
        LibTorchGenerator generator = new LibTorchGenerator(model, codec);
        BatchRecommender rec = BatchRecommender.of(generator, GenerationConfig.beams(beam));
        return new Evaluator(Evaluator.DEFAULT_KS, 256, ProgressListener.NONE).evaluate("validation", examples, itemCount, rec);
    }

    double learningRateAt(long s) {
        double peak = config.learningRate();
        if (s < config.warmupSteps()) return peak * (s + 1) / config.warmupSteps();
        double progress = Math.min(1.0, (double) (s - config.warmupSteps()) / Math.max(1, totalSteps - config.warmupSteps()));
        return peak * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }

    private void setLr(double lr) {
        var groups = optimizer.param_groups();
        for (long i = 0; i < groups.size(); i++) groups.get(i).options().set_lr(lr);
    }

    private double currentLr() {
        return optimizer.param_groups().get(0).options().get_lr();
    }

    public GeneratorModel model() {
        return model;
    }

    /** Token layout of this trainer's model and codec (for building extra losses). */
    public GeneratorTokens tokens() {
        return vocab;
    }

    public long steps() {
        return step;
    }
}

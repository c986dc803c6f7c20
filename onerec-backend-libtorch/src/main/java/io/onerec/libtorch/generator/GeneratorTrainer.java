package io.onerec.libtorch.generator;

import io.onerec.api.DecodingOptions;
import io.onerec.api.PriorFusion;
import io.onerec.api.ProgressListener;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.TrainingHistory;
import io.onerec.api.TrainingProgress;
import io.onerec.tools.data.NextItemExample;
import io.onerec.tools.eval.BatchRecommender;
import io.onerec.tools.eval.EvaluationResult;
import io.onerec.tools.eval.Evaluator;
import io.onerec.api.generator.GeneratorTokens;
import io.onerec.libtorch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Next-token training of the generator: restricted cross-entropy on every SID code of the target session, AdamW
 * with linear warm-up and cosine decay, global gradient clipping, periodic validation Recall/NDCG through
 * constrained beam search, early stopping on NDCG@10 with the best weights restored.
 */
public final class GeneratorTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(GeneratorTrainer.class);

    private final TorchGeneratorModel model;
    private final SemanticIdCodec codec;
    private final GeneratorTokens vocab;
    private final GeneratorTrainerConfig config;
    private final ProgressListener progress;
    private final AdamW optimizer;
    private long step;
    private long totalSteps = 1;
    private Path checkpointDir;
    private Path stateDir;
    private int stateEvery;
    private StepListener stepListener;
    /** The stopped run that the next fit continues (set by {@link #resumeFrom}, consumed by fit). */
    private TrainingState resumePoint;
    /** This process's data-parallel group, or null when training alone ({@link #withDataParallel}). */
    private io.onerec.libtorch.dist.DataParallelGroup dataParallel;

    /** Precision of the forward pass's matrix products ({@link #withPrecision}). */
    private Torch.Precision precision = Torch.Precision.FP32;

    /** Whether validation leaves the user's history out of the lists ({@link #withValidationExcludingHistory}). */
    private boolean validationExcludesHistory;

    /** The losses; with a prior fused into the sequence loss and validation decoding (product of experts) if set. */
    private final GeneratorLoss losses;
    private TrainingHistory history = TrainingHistory.empty();

    public GeneratorTrainer(TorchGeneratorModel model, SemanticIdCodec codec, GeneratorTrainerConfig config, ProgressListener progress) {
        this.model = model;
        this.codec = codec;
        this.vocab = new GeneratorTokens(model.config(), codec);
        this.config = config;
        this.progress = progress == null ? ProgressListener.NONE : progress;
        this.losses = new GeneratorLoss(model, vocab, codec, config.dropout(), config.moeAuxWeight());
        AdamWOptions opts = new AdamWOptions(config.learningRate());
        opts.weight_decay().put(config.weightDecay());
        this.optimizer = new AdamW(model.parameters(), opts);
    }

    /**
     * Saves the model (doc layout, kind {@value TorchGeneratorModel#KIND}) to {@code dir} whenever validation NDCG@10
     * improves, and at the end of training when there is no validation; null disables.
     */
    public GeneratorTrainer checkpointTo(Path dir) {
        this.checkpointDir = dir;
        return this;
    }

    /**
     * Writes the whole training state (see {@link TrainingState}) to {@code dir} every {@code everySteps} optimiser
     * steps and at the end of every epoch, so that {@link #resumeFrom} can continue a stopped run; null disables.
     */
    public GeneratorTrainer saveStateTo(Path dir, int everySteps) {
        if (dir != null && everySteps < 1) throw new IllegalArgumentException("everySteps must be >= 1, got " + everySteps);
        this.stateDir = dir;
        this.stateEvery = everySteps;
        return this;
    }

    /**
     * Trains the generator as one expert of a product with {@code fusion}'s prior (OneRec's shape stays: the prior only
     * adds {@code weight * log q(code | prefix)} to each code level's logits before the softmax, see
     * {@link PriorFusion#normalized()}): the generator is fitted to what the prior does not already explain. The
     * prior's evidence for each training target is {@link io.onerec.api.ItemPrior#evidenceForTraining}
     * (leave-one-out for a table fitted on the same data). Validation decodes with the same fusion, and the model
     * must be served with it ({@code DecodingOptions.withFusion(fusion.asProductOfExperts())}). Sequence training
     * ({@link #fitSequences}) only; null turns it off.
     */
    public GeneratorTrainer withPriorFusion(PriorFusion fusion) {
        losses.fusePrior(fusion == null ? null : fusion.asProductOfExperts());
        return this;
    }

    /**
     * Distils {@code teacher} (a second opinion such as a transition table, with the background share that
     * {@link PriorFusion} defines; its weight is ignored) into the generator: every code's one-hot target in the
     * sequence loss becomes {@code (1 - share) * one-hot + share * q_teacher(code | the target's prefix)}. Unlike
     * {@link #withPriorFusion}, the model is served alone: what the teacher knows is learned into its weights. The
     * teacher's evidence for a training target is {@link io.onerec.api.ItemPrior#evidenceForTraining} (leave-one-out
     * for a table fitted on the same data, so that it never hands over the answer). Sequence training
     * ({@link #fitSequences}) only; not together with a fused prior; null or share 0 turns it off.
     */
    public GeneratorTrainer withDistillation(PriorFusion teacher, double share) {
        losses.distillFrom(teacher, share);
        return this;
    }

    /**
     * Trains the item head beside the codes (LIGER's hybrid of generative and dense retrieval): {@code weight} x the
     * cross-entropy of {@link TorchGeneratorModel#itemLogits} at each target's last history state against the target
     * item, mixed with the distilled teacher's item distribution at the same share as the codes when
     * {@link #withDistillation} is set. The head is tied to the encoder's item-ID embeddings (no new parameters), so a
     * checkpoint is unchanged; it is served by fusing it into the beam search
     * ({@code DecodingOptions.withFusion(ItemHead.fusion(weight, background))}, either backend). Sequence
     * training only; 0 (the default) turns it off.
     */
    public GeneratorTrainer withItemHead(double weight) {
        losses.itemHead(weight);
        return this;
    }

    /**
     * Trains with the forward pass's matrix products in bfloat16 ({@link Torch#autocast}; weights, gradients and the
     * optimiser stay float32) or float32 (the default). Validation decodes in the same precision.
     */
    public GeneratorTrainer withPrecision(Torch.Precision precision) {
        this.precision = java.util.Objects.requireNonNull(precision, "precision");
        return this;
    }

    /**
     * Validates (early stopping, best-epoch choice) with the user's history left out of the ranked lists, as
     * {@link DecodingOptions#withExcludeHistory} serves them; off by default. Set it whenever the model will be served
     * that way, so that the epoch kept is the best one for what is served, not for lists that a served request never sees.
     */
    public GeneratorTrainer withValidationExcludingHistory(boolean exclude) {
        this.validationExcludesHistory = exclude;
        return this;
    }

    /**
     * Trains as one process of a data-parallel job: every process runs the same {@link #fitSequences} over the same
     * windows (same data, same seed), each computes the loss of its share of every global batch (windows
     * {@code rank, rank + worldSize, ...}, scaled so that the shares add up to the global batch's mean), the gradients
     * are summed across processes before clipping and the AdamW step, and the weights start from rank 0's. So N
     * processes take the steps one process would take on the same global batches (up to float summation order, and
     * except dropout, whose random masks differ). Every process validates (the same weights give the same result, so
     * early stopping agrees); let one of them save. Sequence training only.
     */
    public GeneratorTrainer withDataParallel(io.onerec.libtorch.dist.DataParallelGroup group) {
        if (group != null && group.worldSize() > 1 && config.timeBudget() != null) {
            // Each process would size its schedule from its own pace and stop at its own step, and the next
            // all-reduce would wait forever for the ones that stopped.
            throw new IllegalArgumentException("data-parallel training needs an epoch count, not a time budget ("
                    + config.timeBudget() + ")");
        }
        this.dataParallel = group;
        if (group != null) group.broadcastFromRankZero(model.parameterList());
        return this;
    }

    /** Called after every optimiser step of fit; returning false stops fit there (see {@link #onStep}). */
    @FunctionalInterface
    public interface StepListener {
        boolean afterStep(long step, double loss);
    }

    /**
     * Observes fit's steps (e.g. a loss curve); when the listener returns false, fit writes the training state (if
     * {@link #saveStateTo} is set) and returns at once, as if the process had stopped there: no validation and no
     * restoring of the best weights, so that {@link #resumeFrom} can continue the run later.
     */
    public GeneratorTrainer onStep(StepListener listener) {
        this.stepListener = listener;
        return this;
    }

    /**
     * A trainer that continues the run whose state {@link #saveStateTo} wrote to {@code dir}: a new model with the
     * saved weights, AdamW's saved moments and step, and the position, schedule, RNG states, early-stopping state
     * and time spent, which the next {@link #fit} (with the same examples) picks up. It keeps saving to {@code dir}
     * at the same interval. A missing, corrupt or mismatched state (another trainer config or codec; other data,
     * checked by fit) fails with a {@link io.onerec.api.checkpoint.CheckpointException} that names the problem.
     */
    public static GeneratorTrainer resumeFrom(Path dir, SemanticIdCodec codec, GeneratorTrainerConfig config, ProgressListener progress) {
        TrainingState state = TrainingState.read(dir, config, codec);
        GeneratorTrainer trainer = new GeneratorTrainer(state.loadModel(), codec, config, progress);
        state.loadOptimizer(trainer.optimizer);
        trainer.step = state.position().step();
        trainer.resumePoint = state;
        trainer.saveStateTo(dir, state.saveEvery());
        LOG.info("resuming from {}: step {}, epoch {}{}", dir, state.position().step(), state.position().epoch(),
                state.position().finished() ? " (the run had finished)" : "");
        return trainer;
    }

    /**
     * The epochs the latest fit finished, with their mean loss and validation metrics (for loss and validation
     * curves); a resumed run's history starts at the epoch it resumed in. Empty before the first fit.
     */
    public TrainingHistory history() {
        return history;
    }

    /** What a training run reached. */
    public record Result(int epochs, long steps, double lastLoss, int bestEpoch, EvaluationResult bestValidation, Duration time) {
    }

    /** Trains on next-item examples, validating on {@code validation} (may be empty to skip validation). */
    public Result fit(List<NextItemExample> train, List<NextItemExample> validation, int itemCount) {
        return fitSessions(SessionExample.nextItem(train), validation, itemCount);
    }

    public Result fitSessions(List<SessionExample> train, List<NextItemExample> validation, int itemCount) {
        return fitLoop(new TrainingEpochs.InMemory<>(train, config.batchSize(), config.seed()), this::trainStep, validation, itemCount);
    }

    /**
     * Trains a causal-encoder model on windows of users' training sequences (see {@link SequenceExample#windows}):
     * each step encodes {@code batchSize} windows once and trains on all of their targets.
     */
    public Result fitSequences(List<SequenceExample> train, List<NextItemExample> validation, int itemCount) {
        if (!model.config().causalEncoder()) {
            throw new IllegalArgumentException("fitSequences needs a model with a causal encoder; use fit for a bidirectional one");
        }
        return fitLoop(new TrainingEpochs.InMemory<>(train, config.batchSize(), config.seed()), batch -> optimizerStep(() -> sequenceLoss(batch)),
                validation, itemCount);
    }

    /**
     * As {@link #fitSequences(List, List, int)}, reading the windows from {@code train} epoch by epoch instead of
     * holding them (e.g. {@link StreamingWindows} from a file of any size): each epoch's windows come in the source's
     * order for (config seed, epoch), in batches of {@code batchSize}. Validation, early stopping, the time budget,
     * checkpoints and saved training states work as with a list; a resumed run re-reads the stopped epoch and skips
     * the batches it had done.
     */
    public Result fitSequences(WindowSource train, List<NextItemExample> validation, int itemCount) {
        if (!model.config().causalEncoder()) {
            throw new IllegalArgumentException("fitSequences needs a model with a causal encoder; use fit for a bidirectional one");
        }
        return fitLoop(new TrainingEpochs.Streamed(train, config.batchSize(), config.seed()), batch -> optimizerStep(() -> sequenceLoss(batch)),
                validation, itemCount);
    }

    private <T> Result fitLoop(TrainingEpochs<T> data, java.util.function.ToDoubleFunction<List<T>> trainBatch,
                               List<NextItemExample> validation, int itemCount) {
        long start = System.nanoTime();
        int batchesPerEpoch = data.batchesPerEpoch();
        long firstStep = step, plannedSteps = (long) batchesPerEpoch * config.maxEpochs();
        totalSteps = firstStep + plannedSteps;
        // A seeded random sample: the first users of a file are not a random sample of them.
        List<NextItemExample> evalSet = Evaluator.sample(validation, config.evalUsers(), config.seed());
        boolean validate = config.evalEvery() > 0 && !evalSet.isEmpty();
        double bestNdcg = -1;
        int bestEpoch = 0, sinceBest = 0, epoch = 0;
        EvaluationResult best = null;
        TorchGeneratorModel bestWeights = null;
        double lastLoss = Double.NaN;
        // Resuming: the stopped run's position replaces the fresh start above (see TrainingState).
        double lossSum = 0;
        int lossCount = 0, firstBatch = 0;
        boolean inEpoch = false, finished = false;
        TrainingState resume = resumePoint;
        resumePoint = null;
        history = TrainingHistory.empty();
        String dataId = stateDir != null || resume != null ? data.dataFingerprint(validation) : null;
        if (resume != null) {
            resume.requireSameData(dataId);
            TrainingState.Position p = resume.position();
            data.restore(resume);
            epoch = p.epoch();
            inEpoch = !p.epochDone();
            finished = p.finished();
            firstBatch = p.nextBatch();
            lossSum = p.epochLossSum();
            lossCount = p.epochLossCount();
            lastLoss = p.lastLoss();
            firstStep = p.firstStep();
            plannedSteps = p.plannedSteps();
            totalSteps = p.totalSteps();
            start = System.nanoTime() - p.elapsedNanos();
            bestNdcg = p.bestNdcg();
            bestEpoch = p.bestEpoch();
            sinceBest = p.sinceBest();
            best = p.bestValidation();
            bestWeights = resume.loadBestWeights();
            resume.restoreTorchRng();
        }
        while (!finished && (inEpoch || epoch < config.maxEpochs())) {
            boolean fresh = !inEpoch;
            if (fresh) {
                epoch++;
                lossSum = 0;
                lossCount = 0;
                firstBatch = 0;
            }
            inEpoch = false;
            boolean outOfTime = false, stopped = false;
            try (TrainingEpochs.Batches<T> batches = data.batches(epoch, firstBatch, fresh)) {
                for (int b = firstBatch; b < batchesPerEpoch && !outOfTime; b++) {
                    if (!batches.hasNext()) throw new IllegalStateException("epoch " + epoch + " ended after " + b + " of " + batchesPerEpoch + " batches");
                    List<T> batch = batches.next();
                    lastLoss = trainBatch.applyAsDouble(batch);
                    lossSum += lastLoss;
                    lossCount++;
                    boolean stop = stepListener != null && !stepListener.afterStep(step, lastLoss);
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
                    // Past the budget the epoch ends here and its end writes the state; a mid-epoch state would add a step.
                    if (stateDir != null && (stop || !outOfTime && step % stateEvery == 0)) {
                        saveState(new TrainingState.Position(epoch, b + 1, false, false, step, firstStep, plannedSteps, totalSteps,
                                System.nanoTime() - start, lossSum, lossCount, lastLoss, bestNdcg, bestEpoch, sinceBest, best),
                                bestWeights, data, dataId);
                    }
                    if (stop) {
                        LOG.info("stopped after step {} (epoch {}, batch {} of {})", step, epoch, b + 1, batchesPerEpoch);
                        return new Result(epoch, step, lastLoss, bestEpoch, best, Duration.ofNanos(System.nanoTime() - start));
                    }
                }
            }
            double epochLoss = lossSum / lossCount;
            LOG.info("epoch {}: mean loss {}", epoch, String.format("%.4f", epochLoss));
            EvaluationResult r = null;
            if (validate && (epoch % config.evalEvery() == 0 || outOfTime || epoch == config.maxEpochs())) {
                r = evaluate(evalSet, itemCount, config.evalBeam());
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
                    stopped = true;
                }
            }
            history = history.with(new TrainingHistory.Epoch(epoch, step, lossCount, epochLoss, r == null ? Map.of() : r.asMap(),
                    Duration.ofNanos(System.nanoTime() - start)));
            if (outOfTime && !stopped) {
                LOG.info("time budget {} reached in epoch {} after {} steps", config.timeBudget(), epoch, step);
                stopped = true;
            }
            if (stateDir != null) {
                saveState(new TrainingState.Position(epoch, batchesPerEpoch, true, stopped || epoch >= config.maxEpochs(), step,
                        firstStep, plannedSteps, totalSteps, System.nanoTime() - start, lossSum, lossCount, lastLoss, bestNdcg,
                        bestEpoch, sinceBest, best), bestWeights, data, dataId);
            }
            if (stopped) break;
        }
        if (bestWeights != null && bestEpoch != epoch) {
            LOG.info("restoring the weights of epoch {} (validation NDCG@10 {})", bestEpoch, String.format("%.4f", bestNdcg));
            model.loadWeightsFrom(bestWeights);
        }
        if (checkpointDir != null && bestWeights == null) model.save(checkpointDir);
        return new Result(epoch, step, lastLoss, bestEpoch, best, Duration.ofNanos(System.nanoTime() - start));
    }

    private void saveState(TrainingState.Position position, TorchGeneratorModel bestWeights, TrainingEpochs<?> data, String dataId) {
        Path written = TrainingState.write(stateDir, position, model, bestWeights, optimizer, config, codec, dataId,
                data.savedOrder(), data.shuffleRng(), stateEvery);
        LOG.debug("training state at step {} written to {}", position.step(), written);
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
            Tensor loss;
            // The forward pass under autocast (bf16 matrix products when asked); backward and the update outside it,
            // as PyTorch's autocast recipe has it: gradients flow back through the casts into float32 weights.
            try (Torch.Scope cast = Torch.autocast(precision)) {
                loss = lossFn.get();
            }
            optimizer.zero_grad();
            loss.backward();
            double reported = loss.item_float();
            if (dataParallel != null) {
                // Each process's loss is its share of the global mean: the sums are the global batch's loss and gradient.
                List<Tensor> grads = new ArrayList<>();
                for (Tensor p : model.parameterList()) {
                    // A parameter this share did not reach (an expert no token was routed to) has no gradient here
                    // but may have one elsewhere: every process must all-reduce the same list, so it gets zeros.
                    if (!p.grad().defined()) p.mutable_grad().put(org.bytedeco.pytorch.global.torch.zeros_like(p));
                    grads.add(p.grad());
                }
                dataParallel.allReduceSum(grads);
                reported = dataParallel.allReduceSum(reported);
            }
            Torch.clipGradNorm(model.parameterList(), config.clipNorm());
            setLr(learningRateAt(step));
            optimizer.step();
            step++;
            return reported;
        }
    }

    /** Mean restricted cross-entropy over all target codes (+ weighted MoE balancing loss); with gradients. */
    public Tensor ntpLoss(List<SessionExample> batch) {
        return losses.nextToken(batch);
    }

    /**
     * Mean cross-entropy over every code of every target of the windows (+ weighted MoE balancing loss); in a
     * data-parallel job, this process's share of it (see {@link GeneratorLoss#sequences}).
     */
    public Tensor sequenceLoss(List<SequenceExample> batch) {
        return dataParallel == null ? losses.sequences(batch, 0, 1) : losses.sequences(batch, dataParallel.rank(), dataParallel.worldSize());
    }

    /** Mean next-token loss (without the MoE term) over examples, without gradients or weight updates. */
    public double meanLoss(List<SessionExample> examples) {
        return losses.meanNextToken(examples, config.batchSize());
    }

    /**
     * Validation metrics with constrained beam search (history left out when {@link #withValidationExcludingHistory}
     * says so; with the fused prior, if any).
     */
    public EvaluationResult evaluate(List<NextItemExample> examples, int itemCount, int beam) {
        TorchGenerator generator = new TorchGenerator(model, () -> codec, precision);
        BatchRecommender rec = BatchRecommender.of(generator, DecodingOptions.beams(beam).withFusion(losses.prior())
                .withExcludeHistory(validationExcludesHistory));
        return new Evaluator(Evaluator.DEFAULT_KS, 256, ProgressListener.NONE).evaluate("validation", examples, itemCount, rec);
    }

    double learningRateAt(long s) {
        return learningRateAt(s, config.learningRate(), config.warmupSteps(), totalSteps, config.finalLearningRateShare());
    }

    /**
     * The schedule: linear warm-up to {@code peak} over {@code warmup} steps, then half a cosine from {@code peak} down
     * to {@code finalShare * peak} at step {@code total}, flat after it.
     */
    static double learningRateAt(long s, double peak, int warmup, long total, double finalShare) {
        if (s < warmup) return peak * (s + 1) / warmup;
        double progress = Math.min(1.0, (double) (s - warmup) / Math.max(1, total - warmup));
        return peak * (finalShare + (1 - finalShare) * 0.5 * (1 + Math.cos(Math.PI * progress)));
    }

    private void setLr(double lr) {
        var groups = optimizer.param_groups();
        for (long i = 0; i < groups.size(); i++) groups.get(i).options().set_lr(lr);
    }

    private double currentLr() {
        return optimizer.param_groups().get(0).options().get_lr();
    }

    public TorchGeneratorModel model() {
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

package io.onerec.libtorch.generator;

import java.time.Duration;

/**
 * Training hyper-parameters of the generator.
 *
 * @param maxEpochs     upper bound on epochs
 * @param batchSize     examples per optimiser step
 * @param learningRate  peak AdamW learning rate, reached after {@code warmupSteps}, then cosine decay to
 *                      {@code finalLearningRateShare} of it
 * @param weightDecay   AdamW decoupled weight decay
 * @param warmupSteps   linear warm-up steps
 * @param clipNorm      global gradient-norm clip (0 disables)
 * @param seed          seeds weight init and shuffling
 * @param evalEvery     validate every this many epochs (0 disables validation and early stopping)
 * @param patience      stop after this many validations without a better NDCG@10
 * @param evalUsers     validate on a seeded random sample of this many validation users (0 = all)
 * @param evalBeam      beam width used for validation (>= 10)
 * @param moeAuxWeight  weight of the MoE load-balancing loss
 * @param timeBudget    stop training at the first step past this wall-clock time, then validate (null = none)
 * @param dropout       dropout rate on embeddings, attention weights, FFN activations and residual branches while
 *                      training (T5/TIGER use 0.1); inference never drops
 * @param finalLearningRateShare where the cosine decay ends, as a share of the peak (0.1 by default; 0 anneals to zero)
 */
public record GeneratorTrainerConfig(int maxEpochs, int batchSize, double learningRate, double weightDecay, int warmupSteps,
                            double clipNorm, long seed, int evalEvery, int patience, int evalUsers, int evalBeam,
                            double moeAuxWeight, Duration timeBudget, double dropout, double finalLearningRateShare) {
    /** The share of the peak learning rate the cosine decay ends at unless told otherwise. */
    public static final double DEFAULT_FINAL_LEARNING_RATE_SHARE = 0.1;

    public GeneratorTrainerConfig {
        if (maxEpochs < 1 || batchSize < 1) throw new IllegalArgumentException("maxEpochs and batchSize must be >= 1");
        if (!(learningRate > 0)) throw new IllegalArgumentException("learningRate must be > 0");
        if (warmupSteps < 0 || clipNorm < 0 || evalEvery < 0 || patience < 1 || evalUsers < 0) {
            throw new IllegalArgumentException("warmupSteps, clipNorm, evalEvery, evalUsers must be >= 0 and patience >= 1");
        }
        if (evalEvery > 0 && evalBeam < 10) throw new IllegalArgumentException("evalBeam must be >= 10 to measure @10 metrics");
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        if (!(finalLearningRateShare >= 0 && finalLearningRateShare <= 1)) {
            throw new IllegalArgumentException("finalLearningRateShare must be in [0, 1], got " + finalLearningRateShare);
        }
    }

    /** A config whose cosine decay ends at {@link #DEFAULT_FINAL_LEARNING_RATE_SHARE} of the peak. */
    public GeneratorTrainerConfig(int maxEpochs, int batchSize, double learningRate, double weightDecay, int warmupSteps,
                                  double clipNorm, long seed, int evalEvery, int patience, int evalUsers, int evalBeam,
                                  double moeAuxWeight, Duration timeBudget, double dropout) {
        this(maxEpochs, batchSize, learningRate, weightDecay, warmupSteps, clipNorm, seed, evalEvery, patience, evalUsers,
                evalBeam, moeAuxWeight, timeBudget, dropout, DEFAULT_FINAL_LEARNING_RATE_SHARE);
    }

    public static GeneratorTrainerConfig defaults() {
        return new GeneratorTrainerConfig(30, 256, 1e-3, 0.01, 200, 1.0, 42, 1, 3, 2000, 20, 0.01, null, 0.0);
    }

    public GeneratorTrainerConfig withMaxEpochs(int epochs) {
        return new GeneratorTrainerConfig(epochs, batchSize, learningRate, weightDecay, warmupSteps, clipNorm, seed, evalEvery, patience, evalUsers, evalBeam, moeAuxWeight, timeBudget, dropout, finalLearningRateShare);
    }

    public GeneratorTrainerConfig withEvaluation(int every, int users, int beam) {
        return new GeneratorTrainerConfig(maxEpochs, batchSize, learningRate, weightDecay, warmupSteps, clipNorm, seed, every, patience, users, beam, moeAuxWeight, timeBudget, dropout, finalLearningRateShare);
    }

    public GeneratorTrainerConfig withTimeBudget(Duration budget) {
        return new GeneratorTrainerConfig(maxEpochs, batchSize, learningRate, weightDecay, warmupSteps, clipNorm, seed, evalEvery, patience, evalUsers, evalBeam, moeAuxWeight, budget, dropout, finalLearningRateShare);
    }

    public GeneratorTrainerConfig withBatchSize(int size) {
        return new GeneratorTrainerConfig(maxEpochs, size, learningRate, weightDecay, warmupSteps, clipNorm, seed, evalEvery, patience, evalUsers, evalBeam, moeAuxWeight, timeBudget, dropout, finalLearningRateShare);
    }

    public GeneratorTrainerConfig withLearningRate(double lr, int warmup) {
        return new GeneratorTrainerConfig(maxEpochs, batchSize, lr, weightDecay, warmup, clipNorm, seed, evalEvery, patience, evalUsers, evalBeam, moeAuxWeight, timeBudget, dropout, finalLearningRateShare);
    }

    public GeneratorTrainerConfig withDropout(double rate) {
        return new GeneratorTrainerConfig(maxEpochs, batchSize, learningRate, weightDecay, warmupSteps, clipNorm, seed, evalEvery, patience, evalUsers, evalBeam, moeAuxWeight, timeBudget, rate, finalLearningRateShare);
    }

    public GeneratorTrainerConfig withWeightDecay(double decay) {
        return new GeneratorTrainerConfig(maxEpochs, batchSize, learningRate, decay, warmupSteps, clipNorm, seed, evalEvery, patience, evalUsers, evalBeam, moeAuxWeight, timeBudget, dropout, finalLearningRateShare);
    }

    public GeneratorTrainerConfig withPatience(int validations) {
        return new GeneratorTrainerConfig(maxEpochs, batchSize, learningRate, weightDecay, warmupSteps, clipNorm, seed, evalEvery, validations, evalUsers, evalBeam, moeAuxWeight, timeBudget, dropout, finalLearningRateShare);
    }

    /** Ends the cosine decay at {@code share} of the peak learning rate (0 anneals to zero). */
    public GeneratorTrainerConfig withFinalLearningRateShare(double share) {
        return new GeneratorTrainerConfig(maxEpochs, batchSize, learningRate, weightDecay, warmupSteps, clipNorm, seed, evalEvery, patience, evalUsers, evalBeam, moeAuxWeight, timeBudget, dropout, share);
    }
}

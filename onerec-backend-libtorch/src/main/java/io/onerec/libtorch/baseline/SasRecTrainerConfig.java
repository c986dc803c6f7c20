package io.onerec.libtorch.baseline;

import java.time.Duration;

/**
 * Training hyper-parameters of {@link SasRecTrainer}.
 *
 * @param maxEpochs    upper bound on epochs (one pass over every user's training sequence)
 * @param batchSize    user sequences per optimiser step
 * @param learningRate Adam learning rate (constant)
 * @param weightDecay  decoupled weight decay (0 = plain Adam)
 * @param beta2        Adam's second-moment decay (0.999 is PyTorch's default; Kang and McAuley's SASRec code uses 0.98)
 * @param seed         seeds initialisation, dropout, batch order and the validation sample
 * @param evalUsers    validate on a seeded random sample of this many validation users (0 = all)
 * @param patience     stop after this many epochs without a better validation NDCG@10
 * @param timeBudget   stop at the first step past this wall-clock training time, then validate (null = none)
 * @param lengthBuckets batches of sequences of similar length (narrow batches, fast; each batch weighs the same in the
 *                     mean loss, so the positions of short sequences weigh more) instead of batches drawn at random
 *                     (every position weighs the same, as in the usual padded SASRec training; the default, since
 *                     on Beauty it trains a better model at about 1.4x the time per epoch, docs/baselines.md)
 */
public record SasRecTrainerConfig(int maxEpochs, int batchSize, double learningRate, double weightDecay, double beta2, long seed,
                                  int evalUsers, int patience, Duration timeBudget, boolean lengthBuckets) {
    public SasRecTrainerConfig {
        if (maxEpochs < 1 || batchSize < 1 || patience < 1) {
            throw new IllegalArgumentException("maxEpochs, batchSize and patience must be >= 1");
        }
        if (!(learningRate > 0)) throw new IllegalArgumentException("learningRate must be > 0, got " + learningRate);
        if (weightDecay < 0 || evalUsers < 0) throw new IllegalArgumentException("weightDecay and evalUsers must be >= 0");
        if (!(beta2 > 0 && beta2 < 1)) throw new IllegalArgumentException("beta2 must be in (0, 1), got " + beta2);
    }

    /**
     * lr 1e-3, batch 128, no weight decay, Adam beta2 0.999, up to 200 epochs, patience 10, all validation users, no
     * time budget, batches drawn at random (length buckets learn as fast over the first 4 epochs on Beauty, then fall
     * behind: test R@10 .0728 against .0755 at d=64, docs/baselines.md, twelfth session).
     */
    public static SasRecTrainerConfig defaults() {
        return new SasRecTrainerConfig(200, 128, 1e-3, 0.0, 0.999, 42, 0, 10, null, false);
    }

    public SasRecTrainerConfig withMaxEpochs(int epochs) {
        return new SasRecTrainerConfig(epochs, batchSize, learningRate, weightDecay, beta2, seed, evalUsers, patience, timeBudget, lengthBuckets);
    }

    public SasRecTrainerConfig withTimeBudget(Duration budget) {
        return new SasRecTrainerConfig(maxEpochs, batchSize, learningRate, weightDecay, beta2, seed, evalUsers, patience, budget, lengthBuckets);
    }

    public SasRecTrainerConfig withEvaluation(int users, int patience) {
        return new SasRecTrainerConfig(maxEpochs, batchSize, learningRate, weightDecay, beta2, seed, users, patience, timeBudget, lengthBuckets);
    }

    public SasRecTrainerConfig withLearningRate(double lr) {
        return new SasRecTrainerConfig(maxEpochs, batchSize, lr, weightDecay, beta2, seed, evalUsers, patience, timeBudget, lengthBuckets);
    }

    public SasRecTrainerConfig withWeightDecay(double decay) {
        return new SasRecTrainerConfig(maxEpochs, batchSize, learningRate, decay, beta2, seed, evalUsers, patience, timeBudget, lengthBuckets);
    }

    public SasRecTrainerConfig withBeta2(double b2) {
        return new SasRecTrainerConfig(maxEpochs, batchSize, learningRate, weightDecay, b2, seed, evalUsers, patience, timeBudget, lengthBuckets);
    }

    public SasRecTrainerConfig withBatchSize(int size) {
        return new SasRecTrainerConfig(maxEpochs, size, learningRate, weightDecay, beta2, seed, evalUsers, patience, timeBudget, lengthBuckets);
    }

    public SasRecTrainerConfig withLengthBuckets(boolean buckets) {
        return new SasRecTrainerConfig(maxEpochs, batchSize, learningRate, weightDecay, beta2, seed, evalUsers, patience, timeBudget, buckets);
    }

    public SasRecTrainerConfig withSeed(long seed) {
        return new SasRecTrainerConfig(maxEpochs, batchSize, learningRate, weightDecay, beta2, seed, evalUsers, patience, timeBudget, lengthBuckets);
    }
}

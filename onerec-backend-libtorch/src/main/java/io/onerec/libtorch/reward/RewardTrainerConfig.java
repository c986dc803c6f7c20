package io.onerec.libtorch.reward;

/**
 * Reward-model training hyper-parameters.
 *
 * @param epochs       most passes over the logged sessions
 * @param batchSize    sessions per AdamW step
 * @param learningRate constant AdamW learning rate
 * @param weightDecay  AdamW decoupled weight decay
 * @param seed         seeds shuffling
 * @param patience     with validation examples ({@link RewardTrainer#fit(java.util.List, java.util.List)}): stop after
 *                     this many epochs without a lower validation loss, and keep the best epoch's weights
 * @param itemBiasFromCounts start the item bias (when the model has one) at each item's smoothed label log-odds in
 *                     the training examples, instead of 0: per-item biases trained from 0 by Adam learn slowly
 *                     for frequent items and overfit rare ones, while the count estimate is what a per-item rate
 *                     baseline already knows
 */
public record RewardTrainerConfig(int epochs, int batchSize, double learningRate, double weightDecay, long seed,
                                  int patience, boolean itemBiasFromCounts) {
    public RewardTrainerConfig {
        if (epochs < 1 || batchSize < 1 || !(learningRate > 0) || weightDecay < 0 || patience < 1) {
            throw new IllegalArgumentException("invalid reward trainer config: epochs " + epochs + ", batch size " + batchSize
                    + ", learning rate " + learningRate + ", weight decay " + weightDecay + ", patience " + patience);
        }
    }

    /** No early stopping (patience = epochs), item bias from 0. */
    public RewardTrainerConfig(int epochs, int batchSize, double learningRate, double weightDecay, long seed) {
        this(epochs, batchSize, learningRate, weightDecay, seed, epochs, false);
    }

    public static RewardTrainerConfig defaults() {
        return new RewardTrainerConfig(10, 128, 3e-3, 1e-4, 42, 2, true);
    }

    public RewardTrainerConfig withEpochs(int e) {
        return new RewardTrainerConfig(e, batchSize, learningRate, weightDecay, seed, patience, itemBiasFromCounts);
    }
}

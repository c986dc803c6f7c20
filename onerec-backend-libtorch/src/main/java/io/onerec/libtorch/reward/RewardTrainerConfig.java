package io.onerec.libtorch.reward;

/**
 * Reward-model training hyper-parameters.
 *
 * @param epochs       passes over the logged sessions
 * @param batchSize    sessions per AdamW step
 * @param learningRate constant AdamW learning rate
 * @param weightDecay  AdamW decoupled weight decay
 * @param seed         seeds shuffling
 */
public record RewardTrainerConfig(int epochs, int batchSize, double learningRate, double weightDecay, long seed) {
    public RewardTrainerConfig {
        if (epochs < 1 || batchSize < 1 || !(learningRate > 0) || weightDecay < 0) {
            throw new IllegalArgumentException("invalid reward trainer config " + this);
        }
    }

    public static RewardTrainerConfig defaults() {
        return new RewardTrainerConfig(10, 128, 3e-3, 1e-4, 42);
    }

    public RewardTrainerConfig withEpochs(int e) {
        return new RewardTrainerConfig(e, batchSize, learningRate, weightDecay, seed);
    }
}

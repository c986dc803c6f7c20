package io.onerec.libtorch.ipa;

/**
 * Iterative Preference Alignment (OneRec Algorithm 2) hyper-parameters.
 *
 * @param epochs          IPA iterations; each starts from the previous one's model, which becomes the frozen reference
 * @param beta            DPO temperature
 * @param lambda          weight of the DPO loss added to the next-token loss
 * @param candidates      N, sessions beam-generated per DPO sample (beam width)
 * @param dpoRate         r_DPO, probability that a sample also yields a preference pair
 * @param itemsPerSession items per generated session
 * @param batchSize       samples per AdamW step
 * @param learningRate    constant AdamW learning rate
 * @param seed            seeds sample order and the r_DPO draws
 */
public record IpaConfig(int epochs, double beta, double lambda, int candidates, double dpoRate, int itemsPerSession,
                        int batchSize, double learningRate, long seed) {
    public IpaConfig {
        if (epochs < 1 || candidates < 2 || itemsPerSession < 1 || batchSize < 1) {
            throw new IllegalArgumentException("epochs, itemsPerSession, batchSize must be >= 1 and candidates >= 2: " + this);
        }
        if (!(beta > 0) || !(lambda >= 0) || !(dpoRate >= 0 && dpoRate <= 1) || !(learningRate > 0)) {
            throw new IllegalArgumentException("need beta > 0, lambda >= 0, dpoRate in [0, 1], learningRate > 0: " + this);
        }
    }

    /** OneRec's defaults where it gives them (N = 128, r_DPO = 1%), with beta 0.1 and lambda 1. */
    public static IpaConfig defaults(int itemsPerSession) {
        return new IpaConfig(1, 0.1, 1.0, 128, 0.01, itemsPerSession, 64, 1e-4, 42);
    }
}

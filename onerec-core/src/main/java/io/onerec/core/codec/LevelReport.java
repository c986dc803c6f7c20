package io.onerec.core.codec;

/**
 * Quality of one residual-quantization level.
 *
 * @param level               1-based level, as in the progress phase "codec/level-N"
 * @param codebookSize        K
 * @param usedCodes           codes assigned to at least one item
 * @param utilisation         usedCodes / K
 * @param entropyBits         entropy of the code-usage distribution over items, in bits
 * @param normalisedEntropy   entropyBits / log2(K) (1 = perfectly uniform usage)
 * @param meanSquaredResidual mean over items of ||r^{l+1}||^2, the squared residual left after this level
 * @param iterations          clustering iterations run
 * @param converged           whether the assignments settled before the limit: none changed, or fewer than the
 *                            configured fraction ({@link ResidualCodecFitter.Config#convergence()})
 * @param changeRate          fraction of the assignments that changed in the last iteration
 * @param millis              wall time of this level's clustering
 */
public record LevelReport(int level, int codebookSize, int usedCodes, double utilisation, double entropyBits,
                          double normalisedEntropy, double meanSquaredResidual, int iterations, boolean converged,
                          double changeRate, long millis) {

    /** Usage statistics of one level's codes. */
    static LevelReport of(int level, int k, int[] codes, double meanSquaredResidual, int iterations, boolean converged,
                          double changeRate, long millis) {
        int[] counts = new int[k];
        for (int c : codes) counts[c]++;
        int used = 0;
        double h = 0;
        for (int c : counts) {
            if (c == 0) continue;
            used++;
            double p = (double) c / codes.length;
            h -= p * Math.log(p) / Math.log(2);
        }
        double maxH = k > 1 ? Math.log(k) / Math.log(2) : 1;
        return new LevelReport(level, k, used, (double) used / k, h, h / maxH, meanSquaredResidual, iterations, converged, changeRate, millis);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT,
                "level %d: K=%d used=%d (%.1f%%) entropy=%.3f bits (%.3f of max) mse=%.5f iterations=%d%s, last change %.2f%%, %d ms",
                level, codebookSize, usedCodes, 100 * utilisation, entropyBits, normalisedEntropy, meanSquaredResidual,
                iterations, converged ? " (converged)" : "", 100 * changeRate, millis);
    }
}

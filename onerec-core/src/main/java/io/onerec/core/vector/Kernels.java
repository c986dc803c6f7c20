package io.onerec.core.vector;

/**
 * The dense kernels of CPU inference (GEMM, dot, axpy, attention, RMSNorm, softmax), shared by the pure-Java
 * generator, reasoner and reward scorer. Two implementations with identical results up to float rounding: {@link
 * ScalarKernels} (plain Java, any JVM) and {@code PanamaKernels} (Vector API); {@link KernelProvider} picks one
 * once at startup. Implementations are stateless and thread-safe.
 */
public interface Kernels {

    String name();

    /** Outputs per packed panel this implementation wants; pass to {@link PackedMatrix#pack}. */
    int panelWidth();

    default PackedMatrix pack(float[] w, int out, int in) {
        return PackedMatrix.pack(w, 0, out, in, panelWidth());
    }

    /**
     * {@code y[r, :] (+)= x[r, :] W^T} for {@code rows} rows; x rows are {@code w.in()} floats apart starting at
     * {@code xOff}, y rows {@code w.out()} floats apart starting at {@code yOff}.
     */
    void matmul(float[] x, int xOff, int rows, PackedMatrix w, float[] y, int yOff, boolean accumulate);

    float dot(float[] a, int aOff, float[] b, int bOff, int n);

    /** {@code y[i] += alpha * x[i]}. */
    void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n);

    /**
     * One head of scaled dot-product attention for one query, the one implementation of attention behind every
     * pure-Java model: {@code out[outOff, +dh) = softmax(q . k_j * scale) . v_j} over positions {@code j < n}, key j
     * at {@code keys[j][rowOff[j] + keyShift]} and value j at {@code values[j][rowOff[j] + valueShift]}. A cache kept
     * as one array per position (the generator) passes its rows and offsets; a flat cache (the reasoner) passes its
     * one array n times with offsets {@code j * stride}. {@code scores} holds at least n floats.
     */
    default void attend(float[] q, int qOff, float[][] keys, float[][] values, int[] rowOff, int keyShift, int valueShift,
                        int n, int dh, float scale, float[] scores, float[] out, int outOff) {
        for (int j = 0; j < n; j++) scores[j] = dot(q, qOff, keys[j], rowOff[j] + keyShift, dh) * scale;
        softmaxInPlace(scores, n);
        java.util.Arrays.fill(out, outOff, outOff + dh, 0f);
        for (int j = 0; j < n; j++) axpy(scores[j], values[j], rowOff[j] + valueShift, out, outOff, dh);
    }

    /**
     * Restricted log-softmax fused with its logits: for each row r, {@code out[r, :] = log_softmax(x[r, :] W^T)}
     * where W holds only the K rows of the lm_head that belong to one code position (docs/generator-model.md).
     */
    default void logSoftmaxLogits(float[] x, int rows, PackedMatrix w, float[] out) {
        matmul(x, 0, rows, w, out, 0, false);
        int k = w.out();
        // The same normalisation as the sparse head's, so dense and sparse log-probabilities agree.
        for (int r = 0; r < rows; r++) io.onerec.api.generator.SparseCodes.logSoftmaxInPlace(out, r * k, k);
    }

    /**
     * {@code out[r] = x[r] / sqrt(mean(x[r]^2) + eps) * w} for {@code rows} rows of length {@code d} starting at
     * {@code xOff} / {@code outOff}; {@code out} may be {@code x} at the same offset (in place).
     */
    static void rmsNorm(float[] x, int xOff, int rows, int d, float[] w, double eps, float[] out, int outOff) {
        for (int r = 0; r < rows; r++) {
            int i0 = xOff + r * d, o0 = outOff + r * d;
            float ss = 0;
            for (int i = 0; i < d; i++) ss += x[i0 + i] * x[i0 + i];
            float inv = (float) (1.0 / Math.sqrt(ss / d + eps));
            for (int i = 0; i < d; i++) out[o0 + i] = x[i0 + i] * inv * w[i];
        }
    }

    /** In-place softmax of {@code v[0, n)} (attention weights), accumulated in float. */
    static void softmaxInPlace(float[] v, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) max = Math.max(max, v[j]);
        float sum = 0;
        for (int j = 0; j < n; j++) {
            float e = (float) Math.exp(v[j] - max);
            v[j] = e;
            sum += e;
        }
        float inv = 1f / sum;
        for (int j = 0; j < n; j++) v[j] *= inv;
    }
}

package io.onerec.cpu.generator;

import io.onerec.core.vector.Kernels;

/** Row-wise building blocks shared by the encoder and the step decoder; all write into caller-owned buffers. */
final class Ops {
    private Ops() {
    }

    static void rmsNorm(float[] x, int rows, int d, float[] w, double eps, float[] out) {
        Kernels.rmsNorm(x, 0, rows, d, w, eps, out, 0);
    }

    static void relu(float[] x, int n) {
        for (int i = 0; i < n; i++) if (x[i] < 0f) x[i] = 0f;
    }

    /**
     * One head of attention for one query: {@code out[outOff, +dh) = softmax(q . k_j * scale) . v_j} over {@code n}
     * keys, key j at {@code keys[j][keyOff[j]]} and value j at {@code keys[j][keyOff[j] + valShift]} (keys and values
     * are stored interleaved per row; the self-attention cache keeps one array per decoder position). The arithmetic
     * is {@link Kernels#attend}, shared with the reasoner.
     */
    static void attend(Kernels k, float[] q, int qOff, float[][] keys, int[] keyOff, int n, int valShift, int dh,
                       float scale, float[] scores, float[] out, int outOff) {
        k.attend(q, qOff, keys, keys, keyOff, 0, valShift, n, dh, scale, scores, out, outOff);
    }
}

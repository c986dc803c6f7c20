package io.onerec.core.vector;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Both kernel implementations against a naive double-precision product, over tile and panel edge cases. */
class KernelsTest {

    private static void check(Kernels k) {
        Random r = new Random(1);
        int[][] shapes = {{1, 3, 5}, {4, 16, 32}, {7, 33, 17}, {8, 128, 384}, {13, 64, 2}, {21, 40, 100}, {3, 1, 1}};
        for (int[] s : shapes) {
            int rows = s[0], in = s[1], out = s[2];
            float[] w = new float[out * in], x = new float[rows * in + 5], y = new float[rows * out + 3];
            for (int i = 0; i < w.length; i++) w[i] = (float) r.nextGaussian();
            for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
            for (int i = 0; i < y.length; i++) y[i] = (float) r.nextGaussian();
            float[] before = y.clone();
            PackedMatrix p = k.pack(w, out, in);
            for (boolean acc : new boolean[]{false, true}) {
                float[] yy = before.clone();
                k.matmul(x, 5, rows, p, yy, 3, acc);
                for (int i = 0; i < 3; i++) assertEquals(before[i], yy[i], "untouched prefix");
                for (int rr = 0; rr < rows; rr++) {
                    for (int o = 0; o < out; o++) {
                        double e = acc ? before[3 + rr * out + o] : 0;
                        for (int j = 0; j < in; j++) e += (double) x[5 + rr * in + j] * w[o * in + j];
                        assertEquals(e, yy[3 + rr * out + o], 1e-4 * Math.max(1, Math.abs(e)), k.name() + " " + java.util.Arrays.toString(s));
                    }
                }
            }
            float[] logp = new float[rows * out];
            k.logSoftmaxLogits(x, rows, p, logp);
            for (int rr = 0; rr < rows; rr++) {
                double sum = 0;
                for (int o = 0; o < out; o++) sum += Math.exp(logp[rr * out + o]);
                assertEquals(1.0, sum, 1e-4, "log-softmax normalises");
            }
            assertEquals(new ScalarKernels().dot(x, 1, x, 2, in), k.dot(x, 1, x, 2, in), 1e-3 * in);
        }
    }

    @Test
    void scalarKernelsMatchNaiveProduct() {
        check(KernelProvider.scalar());
    }

    @Test
    void panamaKernelsMatchNaiveProduct() {
        Assumptions.assumeTrue(KernelProvider.vectorApiPresent(), "needs jdk.incubator.vector");
        check(KernelProvider.panama());
    }
}

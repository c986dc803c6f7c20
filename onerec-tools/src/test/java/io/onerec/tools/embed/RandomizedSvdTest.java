package io.onerec.tools.embed;

import it.unimi.dsi.fastutil.ints.Int2FloatOpenHashMap;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RandomizedSvdTest {

    @Test
    void recoversAnExactLowRankMatrix() {
        // A = sum of 3 rank-one terms with singular values 10, 5, 2 (orthonormal factors from Gram-Schmidt).
        int rows = 60, cols = 40, r = 3;
        SplittableRandom rnd = new SplittableRandom(3);
        double[] u = new double[rows * r], v = new double[cols * r];
        for (int i = 0; i < u.length; i++) u[i] = rnd.nextGaussian();
        for (int i = 0; i < v.length; i++) v[i] = rnd.nextGaussian();
        RandomizedSvd.orthonormalize(u, rows, r);
        RandomizedSvd.orthonormalize(v, cols, r);
        double[] s = {10, 5, 2};
        Int2FloatOpenHashMap[] m = new Int2FloatOpenHashMap[rows];
        for (int i = 0; i < rows; i++) {
            m[i] = new Int2FloatOpenHashMap();
            for (int j = 0; j < cols; j++) {
                double a = 0;
                for (int t = 0; t < r; t++) a += u[i * r + t] * s[t] * v[j * r + t];
                m[i].put(j, (float) a);
            }
        }
        RandomizedSvd.Result res = RandomizedSvd.compute(SparseMatrix.ofRows(m, cols), 3, 5, 2, 1);
        for (int t = 0; t < r; t++) {
            assertEquals(s[t], res.singularValues()[t], 1e-4);
            double dot = 0; // singular vectors agree up to sign
            for (int i = 0; i < rows; i++) dot += res.u()[i * r + t] * u[i * r + t];
            assertEquals(1.0, Math.abs(dot), 1e-4);
        }
    }
}

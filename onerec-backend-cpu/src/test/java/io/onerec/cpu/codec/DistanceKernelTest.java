package io.onerec.cpu.codec;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DistanceKernelTest {

    @Test
    void panamaIsChosenUnderSurefireAndMatchesScalarBitForBit() {
        assertTrue(DistanceKernels.vectorApiPresent(), "surefire runs with --add-modules jdk.incubator.vector");
        assertTrue(DistanceKernels.get().name().startsWith("panama"), DistanceKernels.get().name());
        DistanceKernel scalar = DistanceKernels.scalar(), panama = DistanceKernels.panama();
        // Odd sizes: rows not a multiple of 4, centroids not a multiple of any panel width, dim not a vector multiple.
        int n = 37, k = 45, dim = 19;
        float[] x = SyntheticData.gaussian(n * dim, 1), c = SyntheticData.gaussian(k * dim, 2);
        int[] rows = Rows.identity(n);
        PackedCentroids ps = scalar.pack(c, k, dim), pp = panama.pack(c, k, dim);

        float[] ds = new float[n * k], dp = new float[n * k];
        scalar.dots(x, rows, 0, n, ps, 0, ps.panels(), ds, 0, k, 1);
        panama.dots(x, rows, 0, n, pp, 0, pp.panels(), dp, 0, k, 1);
        assertArrayEquals(ds, dp);
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                double ref = 0;
                for (int d = 0; d < dim; d++) ref += (double) x[i * dim + d] * c[j * dim + d];
                assertEquals(ref, ds[i * k + j], 1e-4, "dot " + i + "," + j);
            }
        }

        int[] is = new int[n], ip = new int[n];
        float[] ss = fill(n), sp = fill(n);
        scalar.nearest(x, rows, 0, n, ps, 0, ps.panels(), ss, is, 0);
        panama.nearest(x, rows, 0, n, pp, 0, pp.panels(), sp, ip, 0);
        assertArrayEquals(is, ip);
        assertArrayEquals(ss, sp);
        for (int i = 0; i < n; i++) {
            int bruteBest = -1;
            double bruteDist = Double.MAX_VALUE;
            for (int j = 0; j < k; j++) {
                double dist = 0;
                for (int d = 0; d < dim; d++) {
                    double diff = x[i * dim + d] - c[j * dim + d];
                    dist += diff * diff;
                }
                if (dist < bruteDist) {
                    bruteDist = dist;
                    bruteBest = j;
                }
            }
            assertEquals(bruteBest, is[i], "nearest centroid of row " + i);
        }
    }

    @Test
    void transposedOutputAndIndirectRows() {
        DistanceKernel panama = DistanceKernels.panama();
        int n = 10, k = 70, dim = 32;
        float[] x = SyntheticData.gaussian(n * dim, 3), c = SyntheticData.gaussian(k * dim, 4);
        int[] rows = {9, 3, 3, 0, 7};
        PackedCentroids p = panama.pack(c, k, dim);
        float[] out = new float[k * rows.length];
        panama.dots(x, rows, 0, rows.length, p, 0, p.panels(), out, 0, 1, rows.length);
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < k; j++) {
                float ref = 0;
                for (int d = 0; d < dim; d++) ref = Math.fma(x[rows[i] * dim + d], c[j * dim + d], ref);
                assertEquals(ref, out[j * rows.length + i], 0f);
            }
        }
    }

    private static float[] fill(int n) {
        float[] s = new float[n];
        java.util.Arrays.fill(s, Float.POSITIVE_INFINITY);
        return s;
    }
}

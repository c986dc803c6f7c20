package io.onerec.core.vector;

import io.onerec.testing.SyntheticData;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DistanceKernelTest {
    // Odd sizes: rows not a multiple of 4, centroids not a multiple of any panel width, dim not a vector multiple.
    private static final int N = 37, K = 45, DIM = 19;
    private final float[] x = SyntheticData.gaussian(N * DIM, 1), c = SyntheticData.gaussian(K * DIM, 2);
    private final float[] bias = SyntheticData.gaussian(N, 3);

    @Test
    void panamaIsChosenUnderSurefire() {
        assertTrue(KernelProvider.vectorApiPresent(), "surefire runs with --add-modules jdk.incubator.vector");
        assertTrue(KernelProvider.distanceKernel().name().startsWith("panama"), KernelProvider.distanceKernel().name());
    }

    @Test
    void nearestMatchesBruteForceAndScalarBitForBit() {
        int[] is = new int[N], ip = new int[N];
        float[] ss = infinities(N), sp = infinities(N);
        nearest(KernelProvider.scalarDistanceKernel(), ss, is);
        nearest(KernelProvider.panamaDistanceKernel(), sp, ip);
        assertArrayEquals(is, ip);
        assertArrayEquals(ss, sp);
        for (int i = 0; i < N; i++) {
            int bruteBest = -1;
            double bruteDist = Double.MAX_VALUE;
            for (int j = 0; j < K; j++) {
                double dist = 0;
                for (int d = 0; d < DIM; d++) {
                    double diff = x[i * DIM + d] - c[j * DIM + d];
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

    private void nearest(DistanceKernel kernel, float[] score, int[] best) {
        PackedCentroids p = kernel.pack(c, K, DIM);
        kernel.nearest(x, java.util.stream.IntStream.range(0, N).toArray(), 0, N, p, 0, p.panels(), score, best, 0);
    }

    @Test
    void scanOffersExactlyTheScoresBelowThreshold() {
        float[] reference = null;
        for (DistanceKernel kernel : new DistanceKernel[]{KernelProvider.scalarDistanceKernel(), KernelProvider.panamaDistanceKernel()}) {
            PackedCentroids p = kernel.pack(c, K, DIM);
            int[] rows = {9, 3, 36, 0, 7, 8, 21};
            // +inf for real centroids (everything is offered), -inf for padding; centroid 5 is switched off.
            float[] threshold = new float[p.panels() * p.panelWidth()];
            Arrays.fill(threshold, Float.NEGATIVE_INFINITY);
            Arrays.fill(threshold, 0, K, Float.POSITIVE_INFINITY);
            threshold[5] = Float.NEGATIVE_INFINITY;
            float[] got = new float[rows.length * K];
            Arrays.fill(got, Float.NaN);
            int[] order = {0};
            kernel.scan(x, rows, 0, rows.length, p, 0, p.panels(), bias, threshold, 0, (point, centroid, score) -> {
                int i = indexOf(rows, point);
                assertTrue(Float.isNaN(got[i * K + centroid]), "offered twice");
                got[i * K + centroid] = score;
                order[0]++;
            });
            assertEquals(rows.length * (K - 1), order[0]);
            for (int i = 0; i < rows.length; i++) {
                for (int j = 0; j < K; j++) {
                    if (j == 5) {
                        assertTrue(Float.isNaN(got[i * K + j]));
                        continue;
                    }
                    float dot = 0;
                    for (int d = 0; d < DIM; d++) dot = Math.fma(x[rows[i] * DIM + d], c[j * DIM + d], dot);
                    assertEquals(Math.fma(dot, -2f, bias[rows[i]]), got[i * K + j], 0f, kernel.name());
                }
            }
            if (reference == null) reference = got;
            else assertArrayEquals(reference, got, "scalar and Panama scores are bit-identical");
        }
    }

    @Test
    void scanRespectsThresholdsAndOffsets() {
        DistanceKernel kernel = KernelProvider.panamaDistanceKernel();
        PackedCentroids p = kernel.pack(c, K, DIM);
        int pw = p.panelWidth();
        // Scan from the second panel when there is one, else the first; thresholds start at offset 3.
        int first = p.panels() > 1 ? 1 : 0;
        float[] threshold = new float[3 + (p.panels() - first) * pw];
        Arrays.fill(threshold, Float.NEGATIVE_INFINITY);
        for (int j = first * pw; j < K; j++) threshold[3 + j - first * pw] = 0f;
        int[] offered = {0, 0};
        kernel.scan(x, java.util.stream.IntStream.range(0, N).toArray(), 0, N, p, first, p.panels(), bias, threshold, 3, (point, centroid, score) -> {
            assertTrue(score < 0f && centroid >= first * pw && centroid < K);
            offered[0]++;
        });
        for (int i = 0; i < N; i++) {
            for (int j = first * pw; j < K; j++) {
                float dot = 0;
                for (int d = 0; d < DIM; d++) dot = Math.fma(x[i * DIM + d], c[j * DIM + d], dot);
                if (Math.fma(dot, -2f, bias[i]) < 0f) offered[1]++;
            }
        }
        assertEquals(offered[1], offered[0]);
    }

    @Test
    void axpyIsLanewiseAndIdenticalAcrossKernels() {
        float[] y1 = SyntheticData.gaussian(53, 8), y2 = y1.clone(), ref = y1.clone();
        float[] xs = SyntheticData.gaussian(60, 9);
        KernelProvider.scalarDistanceKernel().axpy(0.37f, xs, 5, y1, 2, 50);
        KernelProvider.panamaDistanceKernel().axpy(0.37f, xs, 5, y2, 2, 50);
        for (int i = 0; i < 50; i++) ref[2 + i] = Math.fma(xs[5 + i], 0.37f, ref[2 + i]);
        assertArrayEquals(ref, y1);
        assertArrayEquals(ref, y2);
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) if (a[i] == v) return i;
        throw new AssertionError(v);
    }

    private static float[] infinities(int n) {
        float[] s = new float[n];
        Arrays.fill(s, Float.POSITIVE_INFINITY);
        return s;
    }
}

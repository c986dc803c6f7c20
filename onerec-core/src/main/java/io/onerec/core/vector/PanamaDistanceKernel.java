package io.onerec.core.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernel. A panel is four vectors wide; the micro-kernel computes a 4-row x 4-vector tile (16
 * accumulators), broadcasting one component of each row per step, like a GEMM micro-kernel over a packed right-hand
 * side. Four vectors per broadcast keep the broadcasts (which compete with the FMAs for an execution port) at a
 * quarter of the FMAs; with 16 accumulators, 4 centroid vectors and a broadcast it fits AVX-512's 32 registers.
 * Loaded only through {@link KernelProvider} after checking that {@code jdk.incubator.vector} is present.
 */
final class PanamaDistanceKernel implements DistanceKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int VECTORS = 4;
    private static final int PANEL = VECTORS * L;
    private static final int ROWS = 4;

    @Override
    public String name() {
        return "panama-" + S.vectorBitSize();
    }

    @Override
    public int panelWidth() {
        return PANEL;
    }

    static int vectorLength() {
        return L;
    }

    @Override
    public void nearest(float[] x, int[] rows, int from, int n, PackedCentroids c, int panelFrom, int panelTo,
                        float[] bestScore, int[] bestIndex, int outOff) {
        checkPanel(c);
        int dim = c.dim();
        float[] tile = new float[ROWS * PANEL];
        float[] norms = c.norms();
        FloatVector minus2 = FloatVector.broadcast(S, -2f);
        for (int i = 0; i < n; i += ROWS) {
            int r = Math.min(ROWS, n - i);
            for (int p = panelFrom; p < panelTo; p++) {
                tile(x, rows, from + i, r, c.data(), p * dim * PANEL, dim, tile);
                for (int k = 0; k < r; k++) {
                    int ko = k * PANEL, no = p * PANEL;
                    FloatVector s0 = FloatVector.fromArray(S, tile, ko).fma(minus2, FloatVector.fromArray(S, norms, no));
                    FloatVector s1 = FloatVector.fromArray(S, tile, ko + L).fma(minus2, FloatVector.fromArray(S, norms, no + L));
                    FloatVector s2 = FloatVector.fromArray(S, tile, ko + 2 * L).fma(minus2, FloatVector.fromArray(S, norms, no + 2 * L));
                    FloatVector s3 = FloatVector.fromArray(S, tile, ko + 3 * L).fma(minus2, FloatVector.fromArray(S, norms, no + 3 * L));
                    s0.intoArray(tile, ko);
                    s1.intoArray(tile, ko + L);
                    s2.intoArray(tile, ko + 2 * L);
                    s3.intoArray(tile, ko + 3 * L);
                    FloatVector min = s0.min(s1).min(s2.min(s3));
                    int o = outOff + i + k;
                    float best = bestScore[o];
                    // MIN is exact, so this shortcut cannot change the result; it skips most panels cheaply.
                    if (min.reduceLanes(VectorOperators.MIN) < best) {
                        int bestJ = bestIndex[o];
                        for (int j = 0; j < PANEL; j++) {
                            float sc = tile[k * PANEL + j];
                            if (sc < best) {
                                best = sc;
                                bestJ = p * PANEL + j;
                            }
                        }
                        bestScore[o] = best;
                        bestIndex[o] = bestJ;
                    }
                }
            }
        }
    }

    @Override
    public void scan(float[] x, int[] rows, int from, int n, PackedCentroids c, int panelFrom, int panelTo,
                     float[] rowBias, float[] threshold, int thresholdOff, CandidateSink sink) {
        checkPanel(c);
        int dim = c.dim();
        float[] tile = new float[ROWS * PANEL];
        FloatVector minus2 = FloatVector.broadcast(S, -2f);
        for (int i = 0; i < n; i += ROWS) {
            int r = Math.min(ROWS, n - i);
            for (int p = panelFrom; p < panelTo; p++) {
                tile(x, rows, from + i, r, c.data(), p * dim * PANEL, dim, tile);
                int t = thresholdOff + (p - panelFrom) * PANEL;
                for (int k = 0; k < r; k++) {
                    int point = rows[from + i + k];
                    FloatVector bias = FloatVector.broadcast(S, rowBias[point]);
                    for (int h = 0; h < VECTORS; h++) {
                        FloatVector s = FloatVector.fromArray(S, tile, k * PANEL + h * L).fma(minus2, bias);
                        VectorMask<Float> below = s.lt(FloatVector.fromArray(S, threshold, t + h * L));
                        if (below.anyTrue()) {
                            s.intoArray(tile, k * PANEL + h * L);
                            long bits = below.toLong();
                            while (bits != 0) {
                                int lane = Long.numberOfTrailingZeros(bits);
                                bits &= bits - 1;
                                int j = h * L + lane;
                                // re-check: an earlier offer of this row may have lowered the threshold
                                float sc = tile[k * PANEL + j];
                                if (sc < threshold[t + j]) sink.offer(point, p * PANEL + j, sc);
                            }
                        }
                    }
                }
            }
        }
    }

    @Override
    public void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
        FloatVector av = FloatVector.broadcast(S, a);
        int i = 0;
        for (int upper = S.loopBound(n); i < upper; i += L) {
            FloatVector.fromArray(S, x, xOff + i).fma(av, FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] = Math.fma(x[xOff + i], a, y[yOff + i]);
    }

    /** tile[k * PANEL + j] = x_{rows[first+k]} . c_j for k < r and the panel at {@code base}. */
    private static void tile(float[] x, int[] rows, int first, int r, float[] pk, int base, int dim, float[] tile) {
        if (r == ROWS) {
            tile4(x, rows[first] * dim, rows[first + 1] * dim, rows[first + 2] * dim, rows[first + 3] * dim, pk, base, dim, tile);
        } else {
            for (int k = 0; k < r; k++) {
                tile1(x, rows[first + k] * dim, pk, base, dim, tile, k * PANEL);
            }
        }
    }

    private static void tile4(float[] x, int x0, int x1, int x2, int x3, float[] pk, int base, int dim, float[] tile) {
        FloatVector a00 = FloatVector.zero(S), a01 = a00, a02 = a00, a03 = a00;
        FloatVector a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00;
        FloatVector a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        for (int d = 0; d < dim; d++) {
            int o = base + d * PANEL;
            FloatVector c0 = FloatVector.fromArray(S, pk, o);
            FloatVector c1 = FloatVector.fromArray(S, pk, o + L);
            FloatVector c2 = FloatVector.fromArray(S, pk, o + 2 * L);
            FloatVector c3 = FloatVector.fromArray(S, pk, o + 3 * L);
            FloatVector b = FloatVector.broadcast(S, x[x0 + d]);
            a00 = b.fma(c0, a00);
            a01 = b.fma(c1, a01);
            a02 = b.fma(c2, a02);
            a03 = b.fma(c3, a03);
            b = FloatVector.broadcast(S, x[x1 + d]);
            a10 = b.fma(c0, a10);
            a11 = b.fma(c1, a11);
            a12 = b.fma(c2, a12);
            a13 = b.fma(c3, a13);
            b = FloatVector.broadcast(S, x[x2 + d]);
            a20 = b.fma(c0, a20);
            a21 = b.fma(c1, a21);
            a22 = b.fma(c2, a22);
            a23 = b.fma(c3, a23);
            b = FloatVector.broadcast(S, x[x3 + d]);
            a30 = b.fma(c0, a30);
            a31 = b.fma(c1, a31);
            a32 = b.fma(c2, a32);
            a33 = b.fma(c3, a33);
        }
        a00.intoArray(tile, 0);
        a01.intoArray(tile, L);
        a02.intoArray(tile, 2 * L);
        a03.intoArray(tile, 3 * L);
        a10.intoArray(tile, PANEL);
        a11.intoArray(tile, PANEL + L);
        a12.intoArray(tile, PANEL + 2 * L);
        a13.intoArray(tile, PANEL + 3 * L);
        a20.intoArray(tile, 2 * PANEL);
        a21.intoArray(tile, 2 * PANEL + L);
        a22.intoArray(tile, 2 * PANEL + 2 * L);
        a23.intoArray(tile, 2 * PANEL + 3 * L);
        a30.intoArray(tile, 3 * PANEL);
        a31.intoArray(tile, 3 * PANEL + L);
        a32.intoArray(tile, 3 * PANEL + 2 * L);
        a33.intoArray(tile, 3 * PANEL + 3 * L);
    }

    private static void tile1(float[] x, int x0, float[] pk, int base, int dim, float[] tile, int tileOff) {
        FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
        for (int d = 0; d < dim; d++) {
            int o = base + d * PANEL;
            FloatVector b = FloatVector.broadcast(S, x[x0 + d]);
            a0 = b.fma(FloatVector.fromArray(S, pk, o), a0);
            a1 = b.fma(FloatVector.fromArray(S, pk, o + L), a1);
            a2 = b.fma(FloatVector.fromArray(S, pk, o + 2 * L), a2);
            a3 = b.fma(FloatVector.fromArray(S, pk, o + 3 * L), a3);
        }
        a0.intoArray(tile, tileOff);
        a1.intoArray(tile, tileOff + L);
        a2.intoArray(tile, tileOff + 2 * L);
        a3.intoArray(tile, tileOff + 3 * L);
    }

    private static void checkPanel(PackedCentroids c) {
        if (c.panelWidth() != PANEL) {
            throw new IllegalArgumentException("centroids packed for panel width " + c.panelWidth() + ", this kernel needs " + PANEL);
        }
    }
}

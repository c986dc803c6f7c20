package io.onerec.cpu.codec;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernel. A panel is two vectors wide; the micro-kernel computes a 4-row x 2-vector tile (8 accumulators),
 * broadcasting one component of each row per step, like a GEMM micro-kernel over a packed right-hand side.
 * Loaded only through {@link DistanceKernels} after checking that {@code jdk.incubator.vector} is present.
 */
final class PanamaDistanceKernel implements DistanceKernel {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int PANEL = 2 * L;
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
    public void dots(float[] x, int[] rows, int from, int n, PackedCentroids c, int panelFrom, int panelTo,
                     float[] out, int outOff, int rowStride, int colStride) {
        checkPanel(c);
        int dim = c.dim();
        float[] tile = new float[ROWS * PANEL];
        for (int i = 0; i < n; i += ROWS) {
            int r = Math.min(ROWS, n - i);
            for (int p = panelFrom; p < panelTo; p++) {
                tile(x, rows, from + i, r, c.data(), p * dim * PANEL, dim, tile);
                int valid = Math.min(PANEL, c.count() - p * PANEL);
                int colBase = (p - panelFrom) * PANEL * colStride;
                for (int k = 0; k < r; k++) {
                    int o = outOff + (i + k) * rowStride + colBase;
                    for (int j = 0; j < valid; j++) {
                        out[o + j * colStride] = tile[k * PANEL + j];
                    }
                }
            }
        }
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
                FloatVector n0 = FloatVector.fromArray(S, norms, p * PANEL);
                FloatVector n1 = FloatVector.fromArray(S, norms, p * PANEL + L);
                for (int k = 0; k < r; k++) {
                    FloatVector s0 = FloatVector.fromArray(S, tile, k * PANEL).fma(minus2, n0);
                    FloatVector s1 = FloatVector.fromArray(S, tile, k * PANEL + L).fma(minus2, n1);
                    int o = outOff + i + k;
                    float best = bestScore[o];
                    // MIN is exact, so this shortcut cannot change the result; it skips most panels cheaply.
                    if (s0.min(s1).reduceLanes(VectorOperators.MIN) < best) {
                        s0.intoArray(tile, k * PANEL);
                        s1.intoArray(tile, k * PANEL + L);
                        int bestJ = bestIndex[o];
                        for (int j = 0; j < PANEL; j++) {
                            float s = tile[k * PANEL + j];
                            if (s < best) {
                                best = s;
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
                    for (int h = 0; h < 2; h++) {
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
        FloatVector a00 = FloatVector.zero(S), a01 = FloatVector.zero(S);
        FloatVector a10 = FloatVector.zero(S), a11 = FloatVector.zero(S);
        FloatVector a20 = FloatVector.zero(S), a21 = FloatVector.zero(S);
        FloatVector a30 = FloatVector.zero(S), a31 = FloatVector.zero(S);
        for (int d = 0; d < dim; d++) {
            int o = base + d * PANEL;
            FloatVector c0 = FloatVector.fromArray(S, pk, o);
            FloatVector c1 = FloatVector.fromArray(S, pk, o + L);
            FloatVector b0 = FloatVector.broadcast(S, x[x0 + d]);
            a00 = b0.fma(c0, a00);
            a01 = b0.fma(c1, a01);
            FloatVector b1 = FloatVector.broadcast(S, x[x1 + d]);
            a10 = b1.fma(c0, a10);
            a11 = b1.fma(c1, a11);
            FloatVector b2 = FloatVector.broadcast(S, x[x2 + d]);
            a20 = b2.fma(c0, a20);
            a21 = b2.fma(c1, a21);
            FloatVector b3 = FloatVector.broadcast(S, x[x3 + d]);
            a30 = b3.fma(c0, a30);
            a31 = b3.fma(c1, a31);
        }
        a00.intoArray(tile, 0);
        a01.intoArray(tile, L);
        a10.intoArray(tile, PANEL);
        a11.intoArray(tile, PANEL + L);
        a20.intoArray(tile, 2 * PANEL);
        a21.intoArray(tile, 2 * PANEL + L);
        a30.intoArray(tile, 3 * PANEL);
        a31.intoArray(tile, 3 * PANEL + L);
    }

    private static void tile1(float[] x, int x0, float[] pk, int base, int dim, float[] tile, int tileOff) {
        FloatVector a0 = FloatVector.zero(S), a1 = FloatVector.zero(S);
        for (int d = 0; d < dim; d++) {
            int o = base + d * PANEL;
            FloatVector b = FloatVector.broadcast(S, x[x0 + d]);
            a0 = b.fma(FloatVector.fromArray(S, pk, o), a0);
            a1 = b.fma(FloatVector.fromArray(S, pk, o + L), a1);
        }
        a0.intoArray(tile, tileOff);
        a1.intoArray(tile, tileOff + L);
    }

    private static void checkPanel(PackedCentroids c) {
        if (c.panelWidth() != PANEL) {
            throw new IllegalArgumentException("centroids packed for panel width " + c.panelWidth() + ", this kernel needs " + PANEL);
        }
    }
}

package io.onerec.core.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels. The GEMM is register-tiled: a tile of {@value #ROWS} rows x one packed panel (two vectors of
 * outputs) keeps {@code 2 * ROWS} accumulators in registers while the panel streams through with unit stride, so
 * each weight load feeds {@value #ROWS} FMAs. (An 8-row tile was tried: C2's inlining budget ran out inside it
 * and the later FMAs fell back to boxed, allocating code, so tiles stay small.) Only loaded when {@code jdk.incubator.vector} is present (see
 * {@link KernelProvider}).
 */
final class PanamaKernels implements Kernels {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int PANEL = 2 * L;
    private static final int ROWS = 4;
    /** Shuffles that fold the upper half of the live lanes onto the lower half: shifts L/2, L/4, ..., 1. */
    private static final VectorShuffle<Float>[] FOLD = folds();

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] folds() {
        int n = Integer.numberOfTrailingZeros(L);
        VectorShuffle<Float>[] out = new VectorShuffle[n];
        for (int k = 0, shift = L / 2; k < n; k++, shift /= 2) {
            final int sh = shift;
            out[k] = VectorShuffle.fromOp(S, i -> (i + sh) % L);
        }
        return out;
    }

    /**
     * Sums the lanes by a fixed pairwise tree. {@code reduceLanes(ADD)} leaves the float summation order unspecified,
     * and it differs between the interpreter/C1 fallback and the C2 intrinsic, which made a user's scores depend on
     * how warm the JIT was; a fixed order keeps decoding bit-for-bit reproducible.
     */
    private static float sumLanes(FloatVector v) {
        for (VectorShuffle<Float> fold : FOLD) v = v.add(v.rearrange(fold));
        return v.lane(0);
    }

    @Override
    public String name() {
        return "panama-" + S.vectorBitSize() + "bit";
    }

    @Override
    public int panelWidth() {
        return PANEL;
    }

    @Override
    public void matmul(float[] x, int xOff, int rows, PackedMatrix w, float[] y, int yOff, boolean accumulate) {
        if (w.panelWidth() != PANEL) throw new IllegalArgumentException("matrix packed for panel width " + w.panelWidth() + ", not " + PANEL);
        int in = w.in(), out = w.out();
        float[] d = w.data();
        int fullPanels = out / PANEL;
        for (int p = 0; p < fullPanels; p++) {
            int col0 = p * PANEL, base = p * in * PANEL;
            int r = 0;
            for (; r + ROWS <= rows; r += ROWS) tile4(x, xOff + r * in, in, d, base, y, yOff + r * out + col0, out, accumulate);
            for (; r < rows; r++) tile1(x, xOff + r * in, in, d, base, y, yOff + r * out + col0, accumulate);
        }
        if (fullPanels * PANEL < out) {
            // The last, partial panel (e.g. a small disambiguation codebook) goes scalar: masked vector stores here
            // made C2 give up intrinsifying the hot tiles.
            tailPanel(x, xOff, rows, in, d, fullPanels * in * PANEL, fullPanels * PANEL, out, y, yOff, accumulate);
        }
    }

    private static void tailPanel(float[] x, int xOff, int rows, int in, float[] d, int base, int col0, int out,
                                  float[] y, int yOff, boolean accumulate) {
        for (int r = 0; r < rows; r++) {
            int xr = xOff + r * in;
            for (int j = 0; j < out - col0; j++) {
                float s = 0;
                for (int k = 0; k < in; k++) s += x[xr + k] * d[base + k * PANEL + j];
                int o = yOff + r * out + col0 + j;
                y[o] = accumulate ? y[o] + s : s;
            }
        }
    }

    private static void tile4(float[] x, int x0, int in, float[] d, int base, float[] y, int yr, int out, boolean accumulate) {
        int x1 = x0 + in, x2 = x1 + in, x3 = x2 + in;
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int k = 0, wk = base; k < in; k++, wk += PANEL) {
            FloatVector w0 = FloatVector.fromArray(S, d, wk);
            FloatVector w1 = FloatVector.fromArray(S, d, wk + L);
            FloatVector b = FloatVector.broadcast(S, x[x0 + k]);
            c00 = w0.fma(b, c00);
            c01 = w1.fma(b, c01);
            b = FloatVector.broadcast(S, x[x1 + k]);
            c10 = w0.fma(b, c10);
            c11 = w1.fma(b, c11);
            b = FloatVector.broadcast(S, x[x2 + k]);
            c20 = w0.fma(b, c20);
            c21 = w1.fma(b, c21);
            b = FloatVector.broadcast(S, x[x3 + k]);
            c30 = w0.fma(b, c30);
            c31 = w1.fma(b, c31);
        }
        store(c00, c01, y, yr, accumulate);
        store(c10, c11, y, yr + out, accumulate);
        store(c20, c21, y, yr + 2 * out, accumulate);
        store(c30, c31, y, yr + 3 * out, accumulate);
    }

    private static void tile1(float[] x, int x0, int in, float[] d, int base, float[] y, int yr, boolean accumulate) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S);
        for (int k = 0, wk = base; k < in; k++, wk += PANEL) {
            FloatVector b = FloatVector.broadcast(S, x[x0 + k]);
            c0 = FloatVector.fromArray(S, d, wk).fma(b, c0);
            c1 = FloatVector.fromArray(S, d, wk + L).fma(b, c1);
        }
        store(c0, c1, y, yr, accumulate);
    }

    private static void store(FloatVector v0, FloatVector v1, float[] y, int off, boolean accumulate) {
        if (accumulate) {
            v0 = v0.add(FloatVector.fromArray(S, y, off));
            v1 = v1.add(FloatVector.fromArray(S, y, off + L));
        }
        v0.intoArray(y, off);
        v1.intoArray(y, off + L);
    }

    @Override
    public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        int i = 0;
        FloatVector acc = FloatVector.zero(S);
        for (int bound = S.loopBound(n); i < bound; i += L) {
            acc = FloatVector.fromArray(S, a, aOff + i).fma(FloatVector.fromArray(S, b, bOff + i), acc);
        }
        float s = sumLanes(acc);
        for (; i < n; i++) s += a[aOff + i] * b[bOff + i];
        return s;
    }

    @Override
    public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        int i = 0;
        FloatVector a = FloatVector.broadcast(S, alpha);
        for (int bound = S.loopBound(n); i < bound; i += L) {
            FloatVector.fromArray(S, x, xOff + i).fma(a, FloatVector.fromArray(S, y, yOff + i)).intoArray(y, yOff + i);
        }
        for (; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
    }

    @Override
    public void logSoftmaxLogits(float[] x, int rows, PackedMatrix w, float[] out) {
        matmul(x, 0, rows, w, out, 0, false);
        int k = w.out();
        for (int r = 0; r < rows; r++) logSoftmaxRow(out, r * k, k);
    }

    /**
     * Vectorised max, sum of exp and shift; the normaliser is accumulated in float lanes and summed in a fixed order.
     * The exponential is {@link PanamaMath#exp(FloatVector)}, not {@code lanewise(EXP)}: the latter is an approximation whose
     * bits differ between the C2 intrinsic and the interpreter/C1 fallback, which made the same user's log-probabilities
     * change in the last bits as the JIT warmed up.
     */
    private static void logSoftmaxRow(float[] v, int off, int n) {
        int bound = S.loopBound(n), i = 0;
        FloatVector mx = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (; i < bound; i += L) mx = mx.max(FloatVector.fromArray(S, v, off + i));
        float max = mx.reduceLanes(VectorOperators.MAX); // exact in any order
        for (; i < n; i++) max = Math.max(max, v[off + i]);
        FloatVector sum = FloatVector.zero(S);
        FloatVector mv = FloatVector.broadcast(S, max);
        for (i = 0; i < bound; i += L) sum = sum.add(PanamaMath.exp(FloatVector.fromArray(S, v, off + i).sub(mv)));
        double total = sumLanes(sum);
        for (; i < n; i++) total += PanamaMath.expScalar(v[off + i] - max);
        float shift = (float) (max + Math.log(total));
        FloatVector sv = FloatVector.broadcast(S, shift);
        for (i = 0; i < bound; i += L) FloatVector.fromArray(S, v, off + i).sub(sv).intoArray(v, off + i);
        for (; i < n; i++) v[off + i] -= shift;
    }

}

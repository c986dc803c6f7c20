package io.onerec.core.vector;

/** Plain-Java kernel: the reference, and the fallback when {@code jdk.incubator.vector} is not in the module graph. */
public final class ScalarDistanceKernel implements DistanceKernel {
    private static final int PANEL = 16;

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public int panelWidth() {
        return PANEL;
    }

    @Override
    public void nearest(float[] x, int[] rows, int from, int n, PackedCentroids c, int panelFrom, int panelTo,
                        float[] bestScore, int[] bestIndex, int outOff) {
        int dim = c.dim(), pw = c.panelWidth();
        float[] pk = c.data(), norms = c.norms();
        float[] acc = new float[pw];
        for (int i = 0; i < n; i++) {
            int xo = rows[from + i] * dim;
            float best = bestScore[outOff + i];
            int bestJ = bestIndex[outOff + i];
            for (int p = panelFrom; p < panelTo; p++) {
                panelDots(x, xo, pk, p * dim * pw, dim, pw, acc);
                for (int j = 0; j < pw; j++) {
                    float s = Math.fma(acc[j], -2f, norms[p * pw + j]);
                    if (s < best) {
                        best = s;
                        bestJ = p * pw + j;
                    }
                }
            }
            bestScore[outOff + i] = best;
            bestIndex[outOff + i] = bestJ;
        }
    }

    @Override
    public void scan(float[] x, int[] rows, int from, int n, PackedCentroids c, int panelFrom, int panelTo,
                     float[] rowBias, float[] threshold, int thresholdOff, CandidateSink sink) {
        int dim = c.dim(), pw = c.panelWidth();
        float[] pk = c.data();
        float[] acc = new float[pw];
        for (int i = 0; i < n; i++) {
            int point = rows[from + i];
            int xo = point * dim;
            float bias = rowBias[point];
            for (int p = panelFrom; p < panelTo; p++) {
                panelDots(x, xo, pk, p * dim * pw, dim, pw, acc);
                int t = thresholdOff + (p - panelFrom) * pw;
                for (int j = 0; j < pw; j++) {
                    float s = Math.fma(acc[j], -2f, bias);
                    if (s < threshold[t + j]) sink.offer(point, p * pw + j, s);
                }
            }
        }
    }

    @Override
    public void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] = Math.fma(x[xOff + i], a, y[yOff + i]);
    }

    private static void panelDots(float[] x, int xo, float[] pk, int base, int dim, int pw, float[] acc) {
        java.util.Arrays.fill(acc, 0f);
        for (int d = 0; d < dim; d++) {
            float xv = x[xo + d];
            int o = base + d * pw;
            for (int j = 0; j < pw; j++) {
                acc[j] = Math.fma(xv, pk[o + j], acc[j]);
            }
        }
    }
}

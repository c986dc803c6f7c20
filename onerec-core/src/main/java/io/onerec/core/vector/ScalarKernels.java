package io.onerec.core.vector;

/** Plain-Java kernels: the reference and the fallback when the Vector API is absent. */
public final class ScalarKernels implements Kernels {
    private static final int PANEL = 8;

    @Override
    public String name() {
        return "scalar";
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
        for (int p = 0, panels = w.panels(); p < panels; p++) {
            int col0 = p * PANEL, cols = Math.min(PANEL, out - col0), base = p * in * PANEL;
            for (int r = 0; r < rows; r++) {
                // Eight named accumulators: no scratch array, and C2 keeps them in registers.
                float a0 = 0, a1 = 0, a2 = 0, a3 = 0, a4 = 0, a5 = 0, a6 = 0, a7 = 0;
                int xr = xOff + r * in;
                for (int k = 0, wk = base; k < in; k++, wk += PANEL) {
                    float xv = x[xr + k];
                    a0 += xv * d[wk];
                    a1 += xv * d[wk + 1];
                    a2 += xv * d[wk + 2];
                    a3 += xv * d[wk + 3];
                    a4 += xv * d[wk + 4];
                    a5 += xv * d[wk + 5];
                    a6 += xv * d[wk + 6];
                    a7 += xv * d[wk + 7];
                }
                int yr = yOff + r * out + col0;
                for (int j = 0; j < cols; j++) {
                    float v = switch (j) {
                        case 0 -> a0; case 1 -> a1; case 2 -> a2; case 3 -> a3;
                        case 4 -> a4; case 5 -> a5; case 6 -> a6; default -> a7;
                    };
                    y[yr + j] = accumulate ? y[yr + j] + v : v;
                }
            }
        }
    }

    @Override
    public float dot(float[] a, int aOff, float[] b, int bOff, int n) {
        float s = 0;
        for (int i = 0; i < n; i++) s += a[aOff + i] * b[bOff + i];
        return s;
    }

    @Override
    public void axpy(float alpha, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) y[yOff + i] += alpha * x[xOff + i];
    }
}

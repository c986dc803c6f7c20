package io.onerec.core.vector;

/**
 * A weight matrix {@code W [out, in]} (PyTorch Linear layout) re-laid out once at load time for {@code y = x W^T}:
 * column panels of {@code panelWidth} outputs, each panel {@code [in][panelWidth]} contiguous and zero-padded, so
 * the GEMM inner loop streams one panel with unit stride while the output tile stays in registers.
 *
 * @param data       panels back to back: panel p holds outputs {@code [p*panelWidth, (p+1)*panelWidth)}
 * @param in         input features (columns of W)
 * @param out        output features (rows of W)
 * @param panelWidth outputs per panel (a multiple of the kernel's vector length)
 */
public record PackedMatrix(float[] data, int in, int out, int panelWidth) {

    public int panels() {
        return (out + panelWidth - 1) / panelWidth;
    }

    /** Packs rows {@code [rowFrom, rowFrom + rows)} of the row-major matrix {@code w [*, in]}. */
    public static PackedMatrix pack(float[] w, int rowFrom, int rows, int in, int panelWidth) {
        int panels = (rows + panelWidth - 1) / panelWidth;
        float[] data = new float[panels * in * panelWidth];
        for (int o = 0; o < rows; o++) {
            int p = o / panelWidth, j = o % panelWidth;
            int src = (rowFrom + o) * in;
            int base = p * in * panelWidth + j;
            for (int k = 0; k < in; k++) data[base + k * panelWidth] = w[src + k];
        }
        return new PackedMatrix(data, in, rows, panelWidth);
    }

    /** Packs several {@code [out_i, in]} matrices stacked along the output dimension (e.g. fused Q, K, V). */
    public static PackedMatrix packStacked(float[][] ws, int in, int panelWidth) {
        int rows = 0;
        for (float[] w : ws) rows += w.length / in;
        float[] all = new float[rows * in];
        int o = 0;
        for (float[] w : ws) {
            System.arraycopy(w, 0, all, o, w.length);
            o += w.length;
        }
        return pack(all, 0, rows, in, panelWidth);
    }
}

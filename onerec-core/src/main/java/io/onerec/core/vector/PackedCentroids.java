package io.onerec.core.vector;

/**
 * Centroids laid out for a {@link DistanceKernel}: panels of {@code panelWidth} consecutive centroids, each panel
 * stored dimension-major ({@code data[(panel * dim + d) * panelWidth + j]}), so that the kernel can load the d-th
 * component of a whole panel as one vector and never needs a horizontal reduction. The last panel is zero-padded;
 * the padded columns have a squared norm of +infinity so they never win a nearest-centroid search.
 *
 * @param count      number of real centroids
 * @param dim        dimension
 * @param panelWidth centroids per panel (a multiple of the kernel's vector length)
 * @param data       packed panels, length {@code panels() * dim * panelWidth}
 * @param norms      squared L2 norm per column, length {@code panels() * panelWidth}, +inf for padding
 */
public record PackedCentroids(int count, int dim, int panelWidth, float[] data, float[] norms) {

    /** Packs row-major centroids {@code [count, dim]}. */
    public static PackedCentroids pack(float[] rowMajor, int count, int dim, int panelWidth) {
        if ((long) count * dim != rowMajor.length) {
            throw new IllegalArgumentException("centroid array has " + rowMajor.length + " floats, expected " + count + " x " + dim);
        }
        int panels = (count + panelWidth - 1) / panelWidth;
        float[] data = new float[panels * dim * panelWidth];
        float[] norms = new float[panels * panelWidth];
        java.util.Arrays.fill(norms, Float.POSITIVE_INFINITY);
        for (int c = 0; c < count; c++) {
            int p = c / panelWidth, j = c % panelWidth;
            int base = p * dim * panelWidth + j;
            for (int d = 0; d < dim; d++) {
                data[base + d * panelWidth] = rowMajor[c * dim + d];
            }
            norms[c] = squaredNorm(rowMajor, c * dim, dim);
        }
        return new PackedCentroids(count, dim, panelWidth, data, norms);
    }

    public int panels() {
        return norms.length / panelWidth;
    }

    /**
     * Squared norm with the same arithmetic everywhere (sequential fused multiply-add), so that batch fitting and
     * single-vector encoding agree bit for bit.
     */
    public static float squaredNorm(float[] v, int off, int dim) {
        float s = 0f;
        for (int d = 0; d < dim; d++) {
            s = Math.fma(v[off + d], v[off + d], s);
        }
        return s;
    }
}

package io.onerec.core.vector;

/**
 * The hot loops of residual quantization: dot products between many rows and a panel-packed codebook, and the
 * fused nearest-centroid search over {@code ||c||^2 - 2 x.c} (the {@code ||x||^2} term is constant per row and does
 * not change the argmin).
 *
 * <p>Every dot product is a sequential fused multiply-add over the dimensions, starting at zero, in every
 * implementation; the vector implementation only computes many of them side by side. Scalar and Panama kernels
 * therefore return bit-identical results, and a single encoded vector gets exactly the codes the batch fit computed.
 *
 * <p>Rows are addressed indirectly: row {@code i} of a call is {@code x[rows[from + i] * dim ...]}, which lets the
 * balanced fitter work on the shrinking set of unassigned points without copying them.
 */
public interface DistanceKernel {

    /** A short name for logs and benchmarks, e.g. "panama-512" or "scalar". */
    String name();

    /** Centroids per panel expected by this kernel. */
    int panelWidth();

    default PackedCentroids pack(float[] rowMajor, int count, int dim) {
        return PackedCentroids.pack(rowMajor, count, dim, panelWidth());
    }

    /**
     * Running nearest-centroid search over panels {@code [panelFrom, panelTo)}: for each row {@code i}, a centroid
     * {@code j} with {@code score = fma(-2, x_i.c_j, ||c_j||^2) < bestScore[outOff+i]} replaces the best; ties keep the
     * lower index (centroids are scanned in increasing order).
     */
    void nearest(float[] x, int[] rows, int from, int n, PackedCentroids c, int panelFrom, int panelTo,
                 float[] bestScore, int[] bestIndex, int outOff);

    /**
     * Candidate search for the balanced fitter: for rows {@code i} and the real centroids {@code j} of panels
     * {@code [panelFrom, panelTo)}, computes {@code s = fma(x_i.c_j, -2, rowBias[rows[from+i]])} and calls
     * {@code sink.offer(rows[from+i], j, s)} whenever {@code s < threshold[thresholdOff + j - panelFrom * panelWidth]}. Rows are
     * visited in increasing position, so for one centroid the offered points arrive in row order. The sink may
     * lower thresholds while the scan runs (a stale threshold only costs an extra offer). Padding columns of the
     * last panel must have a threshold of -infinity.
     */
    void scan(float[] x, int[] rows, int from, int n, PackedCentroids c, int panelFrom, int panelTo,
              float[] rowBias, float[] threshold, int thresholdOff, CandidateSink sink);

    /**
     * {@code y[yOff+i] = fma(x[xOff+i], a, y[yOff+i])} for {@code i < n}: lanewise, so every implementation gives
     * the same result. The building block of k-means++ seeding over a dimension-major sample.
     */
    void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n);

    /** Receives the candidates of {@link #scan}. */
    @FunctionalInterface
    interface CandidateSink {
        void offer(int point, int centroid, float score);
    }
}

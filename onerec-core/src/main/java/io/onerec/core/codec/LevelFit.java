package io.onerec.core.codec;

/**
 * The outcome of clustering one residual level.
 *
 * @param centroids  codebook, row-major {@code [k, dim]}
 * @param assignment code of every item
 * @param iterations iterations run
 * @param converged  whether the assignments settled (see {@link ClusteringJob#converged}) before the iteration limit
 * @param changeRate fraction of the assignments that changed in the last iteration (1 after a single iteration)
 */
record LevelFit(float[] centroids, int[] assignment, int iterations, boolean converged, double changeRate) {
}

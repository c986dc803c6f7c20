package io.onerec.core.codec;

/**
 * The outcome of clustering one residual level.
 *
 * @param centroids  codebook, row-major {@code [k, dim]}
 * @param assignment code of every item
 * @param iterations iterations run
 * @param converged  whether assignments stopped changing before the iteration limit
 */
record LevelFit(float[] centroids, int[] assignment, int iterations, boolean converged) {
}

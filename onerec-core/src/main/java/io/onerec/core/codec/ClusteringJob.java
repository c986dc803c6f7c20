package io.onerec.core.codec;

import io.onerec.core.vector.DistanceKernel;
import io.onerec.core.vector.PackedCentroids;
import io.onerec.api.ProgressListener;
import io.onerec.api.TrainingProgress;

import java.util.Map;
import java.util.concurrent.ForkJoinPool;

/**
 * What one level's clustering runs with; {@code phase} names it in progress reports ("codec/level-1").
 * {@code candidateClusters} > 0 lets the balanced fitter prune its assignment step after the first iteration (see
 * {@link BalancedKMeansClustering}); {@code convergence} is the fraction of changed assignments below which the
 * iterations stop (0: only when nothing changes).
 */
record ClusteringJob(DistanceKernel kernel, ForkJoinPool pool, ProgressListener listener, String phase,
                     int maxIterations, long seed, int candidateClusters, double convergence) {

    ClusteringJob(DistanceKernel kernel, ForkJoinPool pool, ProgressListener listener, String phase, int maxIterations, long seed) {
        this(kernel, pool, listener, phase, maxIterations, seed, 0, 0);
    }

    /** Whether {@code changed} of {@code n} assignments changing in an iteration counts as converged. */
    boolean converged(int changed, int n) {
        return changed == 0 || (double) changed / n < convergence;
    }

    void report(int iteration, double loss, Map<String, Double> metrics) {
        listener.onProgress(new TrainingProgress(phase, iteration, maxIterations, loss, metrics));
    }

    /** Mean of the points assigned to each cluster (sums in double, in point order: deterministic). */
    static float[] means(float[] x, int n, int dim, int[] assignment, int k, int[] counts) {
        double[] sums = new double[k * dim];
        java.util.Arrays.fill(counts, 0);
        for (int i = 0; i < n; i++) {
            int c = assignment[i];
            counts[c]++;
            int so = c * dim, xo = i * dim;
            for (int d = 0; d < dim; d++) {
                sums[so + d] += x[xo + d];
            }
        }
        float[] centroids = new float[k * dim];
        for (int c = 0; c < k; c++) {
            if (counts[c] == 0) continue;
            double inv = 1.0 / counts[c];
            for (int d = 0; d < dim; d++) {
                centroids[c * dim + d] = (float) (sums[c * dim + d] * inv);
            }
        }
        return centroids;
    }

    static float[] squaredNorms(float[] x, int n, int dim) {
        float[] norms = new float[n];
        for (int i = 0; i < n; i++) norms[i] = PackedCentroids.squaredNorm(x, i * dim, dim);
        return norms;
    }
}

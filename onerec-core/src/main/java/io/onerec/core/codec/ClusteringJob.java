package io.onerec.core.codec;

import io.onerec.core.vector.DistanceKernel;
import io.onerec.core.vector.PackedCentroids;
import io.onerec.api.ProgressListener;
import io.onerec.api.TrainingProgress;

import java.util.Map;
import java.util.concurrent.ForkJoinPool;

/** What one level's clustering runs with; {@code phase} names it in progress reports ("codec/level-1"). */
record ClusteringJob(DistanceKernel kernel, ForkJoinPool pool, ProgressListener listener, String phase,
                     int maxIterations, long seed) {

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

package io.onerec.core.codec;

import io.onerec.core.vector.DistanceKernel;
import io.onerec.core.vector.PackedCentroids;
import it.unimi.dsi.fastutil.ints.IntArrays;

import java.util.Map;
import java.util.SplittableRandom;

/**
 * Plain K-means: k-means++ seeding, then Lloyd iterations until no assignment changes.
 *
 * <p>Seeding runs on a uniform sample of at most {@code max(8192, 4k)} points: exact k-means++ over all points costs
 * one pass over the data per centroid (k passes), which is prohibitive at k = 8192 and a million points, while a
 * sample of a few points per centroid gives the same spread. An empty cluster after an update is re-seeded at the
 * point farthest from its centroid (taken from clusters that keep at least one point). The returned assignment is
 * always the nearest centroid under the returned codebook, so encoding a catalog item reproduces its codes.
 */
final class KMeansClustering {

    /** Sample points per block of the seeding loop: 2048 floats of dot products stay in L1. */
    private static final int SEED_BLOCK = 2048;

    private KMeansClustering() {
    }

    static LevelFit fit(ClusteringJob job, float[] x, int n, int dim, int k) {
        if (n < k) {
            throw new IllegalArgumentException("K-means with " + k + " clusters needs at least " + k + " points, got " + n);
        }
        float[] centroids = seed(job.kernel(), x, n, dim, k, new SplittableRandom(job.seed()));
        float[] xNorms = ClusteringJob.squaredNorms(x, n, dim);
        int[] assign = new int[n];
        int[] prev = null;
        float[] score = new float[n];
        int[] counts = new int[k];
        int it = 0;
        boolean converged = false;
        double changeRate = 1;
        while (true) {
            PackedCentroids packed = job.kernel().pack(centroids, k, dim);
            Rows.nearestAll(job.kernel(), job.pool(), x, n, packed, assign, score);
            if (prev != null) {
                int changed = 0;
                for (int i = 0; i < n; i++) if (assign[i] != prev[i]) changed++;
                double loss = 0;
                for (int i = 0; i < n; i++) loss += Math.max(0f, score[i] + xNorms[i]);
                changeRate = (double) changed / n;
                job.report(it, loss / n, Map.of("changed", changeRate));
                if (job.converged(changed, n)) {
                    converged = true;
                    break;
                }
            }
            if (it == job.maxIterations()) {
                break; // the assignment above is nearest under the current centroids
            }
            it++;
            centroids = ClusteringJob.means(x, n, dim, assign, k, counts);
            reseedEmpty(x, dim, assign, score, xNorms, counts, centroids);
            prev = assign.clone();
        }
        return new LevelFit(centroids, assign, it, converged, changeRate);
    }

    /**
     * k-means++ on a sample: each next centroid is drawn with probability proportional to D(x)^2. Each step is a
     * matrix-vector product of the sample with the new centroid; the sample is stored dimension-major so that the
     * inner loop is a vectorized axpy over points (one independent fma chain per point: the same result with either
     * kernel), in blocks of points whose dot products stay in L1.
     */
    static float[] seed(DistanceKernel kernel, float[] x, int n, int dim, int k, SplittableRandom rnd) {
        int m = Math.min(n, Math.max(8192, 4 * k));
        int[] sample = sample(n, m, rnd);
        float[] xt = new float[dim * m];
        float[] xNorm = new float[m];
        for (int s = 0; s < m; s++) {
            int xo = sample[s] * dim;
            for (int d = 0; d < dim; d++) xt[d * m + s] = x[xo + d];
            xNorm[s] = PackedCentroids.squaredNorm(x, xo, dim);
        }
        float[] centroids = new float[k * dim];
        float[] d2 = new float[m];
        java.util.Arrays.fill(d2, Float.POSITIVE_INFINITY);
        float[] dot = new float[m];
        boolean[] chosen = new boolean[m];
        int pick = rnd.nextInt(m);
        for (int c = 0; c < k; c++) {
            chosen[pick] = true;
            int co = c * dim;
            System.arraycopy(x, sample[pick] * dim, centroids, co, dim);
            if (c == k - 1) break;
            java.util.Arrays.fill(dot, 0f);
            for (int s0 = 0; s0 < m; s0 += SEED_BLOCK) {
                int s1 = Math.min(m, s0 + SEED_BLOCK);
                for (int d = 0; d < dim; d++) {
                    kernel.axpy(centroids[co + d], xt, d * m + s0, dot, s0, s1 - s0);
                }
            }
            float cNorm = PackedCentroids.squaredNorm(centroids, co, dim);
            double total = 0;
            for (int s = 0; s < m; s++) {
                float dist = chosen[s] ? 0f : Math.max(0f, xNorm[s] + cNorm - 2f * dot[s]);
                if (dist < d2[s]) d2[s] = dist;
                total += d2[s];
            }
            pick = -1;
            if (total > 0) {
                double target = rnd.nextDouble() * total, acc = 0;
                for (int s = 0; s < m; s++) {
                    acc += d2[s];
                    if (!chosen[s] && acc >= target && d2[s] > 0) {
                        pick = s;
                        break;
                    }
                }
            }
            if (pick < 0) { // all remaining points coincide with centroids (duplicates): take any unchosen one
                for (int s = 0; s < m && pick < 0; s++) if (!chosen[s]) pick = s;
            }
        }
        return centroids;
    }

    /** {@code m} distinct indices of {@code [0, n)}, in random order (partial Fisher-Yates). */
    static int[] sample(int n, int m, SplittableRandom rnd) {
        int[] all = Rows.identity(n);
        for (int i = 0; i < m; i++) {
            int j = i + rnd.nextInt(n - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        return java.util.Arrays.copyOf(all, m);
    }

    private static void reseedEmpty(float[] x, int dim, int[] assign, float[] score, float[] xNorms, int[] counts,
                                    float[] centroids) {
        int empty = 0;
        for (int c : counts) if (c == 0) empty++;
        if (empty == 0) return;
        int n = assign.length;
        int[] order = Rows.identity(n);
        // Farthest points first; ties by index, so the choice is deterministic.
        IntArrays.quickSort(order, (a, b) -> {
            int cmp = Float.compare(score[b] + xNorms[b], score[a] + xNorms[a]);
            return cmp != 0 ? cmp : Integer.compare(a, b);
        });
        int next = 0;
        for (int c = 0; c < counts.length; c++) {
            if (counts[c] != 0) continue;
            while (counts[assign[order[next]]] <= 1) next++;
            int p = order[next++];
            counts[assign[p]]--;
            assign[p] = c;
            counts[c] = 1;
            System.arraycopy(x, p * dim, centroids, c * dim, dim);
        }
    }
}

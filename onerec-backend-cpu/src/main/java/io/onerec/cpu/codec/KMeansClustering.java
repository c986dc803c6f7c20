package io.onerec.cpu.codec;

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

    private KMeansClustering() {
    }

    static LevelFit fit(ClusteringJob job, float[] x, int n, int dim, int k) {
        if (n < k) {
            throw new IllegalArgumentException("K-means with " + k + " clusters needs at least " + k + " points, got " + n);
        }
        float[] centroids = seed(x, n, dim, k, new SplittableRandom(job.seed()));
        float[] xNorms = ClusteringJob.squaredNorms(x, n, dim);
        int[] assign = new int[n];
        int[] prev = null;
        float[] score = new float[n];
        int[] counts = new int[k];
        int it = 0;
        boolean converged = false;
        while (true) {
            PackedCentroids packed = job.kernel().pack(centroids, k, dim);
            Rows.nearestAll(job.kernel(), job.pool(), x, n, packed, assign, score);
            if (prev != null) {
                int changed = 0;
                for (int i = 0; i < n; i++) if (assign[i] != prev[i]) changed++;
                double loss = 0;
                for (int i = 0; i < n; i++) loss += Math.max(0f, score[i] + xNorms[i]);
                job.report(it, loss / n, Map.of("changed", (double) changed / n));
                if (changed == 0) {
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
        return new LevelFit(centroids, assign, it, converged);
    }

    /** k-means++ on a sample: each next centroid is drawn with probability proportional to D(x)^2. */
    static float[] seed(float[] x, int n, int dim, int k, SplittableRandom rnd) {
        int m = Math.min(n, Math.max(8192, 4 * k));
        int[] sample = sample(n, m, rnd);
        float[] centroids = new float[k * dim];
        double[] d2 = new double[m];
        java.util.Arrays.fill(d2, Double.POSITIVE_INFINITY);
        boolean[] chosen = new boolean[m];
        int pick = rnd.nextInt(m);
        for (int c = 0; c < k; c++) {
            chosen[pick] = true;
            System.arraycopy(x, sample[pick] * dim, centroids, c * dim, dim);
            if (c == k - 1) break;
            double total = 0;
            int co = c * dim;
            for (int s = 0; s < m; s++) {
                if (chosen[s]) {
                    d2[s] = 0;
                    continue;
                }
                int xo = sample[s] * dim;
                double dist = 0;
                for (int d = 0; d < dim; d++) {
                    float diff = x[xo + d] - centroids[co + d];
                    dist += diff * diff;
                }
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

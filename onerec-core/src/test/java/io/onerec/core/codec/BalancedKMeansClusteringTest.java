package io.onerec.core.codec;

import io.onerec.core.vector.DistanceKernel;
import io.onerec.core.vector.KernelProvider;
import io.onerec.testing.SyntheticData;
import io.onerec.api.ItemEmbeddings;
import io.onerec.api.ProgressListener;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fast balanced K-means against a literal transcription of OneRec's Algorithm 1. */
class BalancedKMeansClusteringTest {

    @Test
    void matchesTheNaiveAlgorithmExactly() {
        // Small clusters (w = 2..5) over many blocks force candidate exhaustion and rescans.
        int[][] cases = {{600, 24, 8}, {1500, 600, 8}, {2100, 1100, 16}, {999, 333, 5}};
        for (int[] c : cases) {
            int n = c[0], k = c[1], dim = c[2];
            ItemEmbeddings x = SyntheticData.blobs(n, dim, 7, n + k);
            for (DistanceKernel kernel : new DistanceKernel[]{KernelProvider.panamaDistanceKernel(), KernelProvider.scalarDistanceKernel()}) {
                try (ForkJoinPool pool = new ForkJoinPool(2)) {
                    ClusteringJob job = new ClusteringJob(kernel, pool, ProgressListener.NONE, "test", 3, 17);
                    LevelFit fast = BalancedKMeansClustering.fit(job, x.data(), n, dim, k);
                    int[] naive = naive(x.data(), n, dim, k, 3, 17);
                    assertArrayEquals(naive, fast.assignment(), "n=" + n + " k=" + k + " kernel " + kernel.name());
                    assertEquals(3, fast.iterations());
                }
            }
        }
    }

    @Test
    void candidatePruningKeepsBalanceStopsBelowTheChangeThresholdAndStaysCloseToExact() {
        int n = 4000, k = 100, dim = 16;
        ItemEmbeddings x = SyntheticData.blobs(n, dim, 40, 3);
        List<Double> changes = new ArrayList<>();
        LevelFit pruned;
        LevelFit prunedOneThread;
        LevelFit exact;
        try (ForkJoinPool pool = new ForkJoinPool(2); ForkJoinPool single = new ForkJoinPool(1)) {
            DistanceKernel kernel = KernelProvider.distanceKernel();
            pruned = BalancedKMeansClustering.fit(new ClusteringJob(kernel, pool, p -> changes.add(p.metrics().get("changed")),
                    "test", 60, 5, 8, 0.01), x.data(), n, dim, k);
            prunedOneThread = BalancedKMeansClustering.fit(new ClusteringJob(kernel, single, ProgressListener.NONE,
                    "test", 60, 5, 8, 0.01), x.data(), n, dim, k);
            exact = BalancedKMeansClustering.fit(new ClusteringJob(kernel, pool, ProgressListener.NONE, "test", 60, 5, 0, 0.01),
                    x.data(), n, dim, k);
        }
        assertTrue(pruned.converged(), "converged within 60 iterations, changes " + changes);
        assertEquals(changes.size(), pruned.iterations());
        assertTrue(changes.getLast() < 0.01, "stopped below 1% changed: " + changes);
        for (int i = 1; i < changes.size() - 1; i++) assertTrue(changes.get(i) >= 0.01, "stopped at the first iteration below 1%: " + changes);
        assertTrue(pruned.iterations() > 2, "the test must exercise pruned iterations: " + changes);
        int[] sizes = new int[k];
        for (int c : pruned.assignment()) sizes[c]++;
        for (int c = 0; c < k; c++) assertEquals(BalancedKMeansClustering.clusterSize(n, k, c), sizes[c], "size of cluster " + c);
        assertArrayEquals(pruned.assignment(), prunedOneThread.assignment(), "independent of the thread count");
        double prunedError = quantizationError(x.data(), n, dim, pruned), exactError = quantizationError(x.data(), n, dim, exact);
        assertTrue(prunedError < 1.1 * exactError, "pruned error " + prunedError + " vs exact " + exactError);
    }

    @Test
    void auctionFindsTheLeastCostBalancedAssignmentWithinTheCandidates() {
        // Exhaustive reference: every balanced assignment of n points to k clusters that respects the candidates.
        int n = 10, k = 3;
        int tested = 0, unique = 0;
        for (long seed = 1; seed <= 40; seed++) {
            SplittableRandom rnd = new SplittableRandom(seed);
            int m = seed % 2 == 0 ? k : 2; // all centroids, or each point's own cluster and one neighbour
            int[] neighbours = new int[k * m];
            for (int a = 0; a < k; a++) {
                neighbours[a * m] = a;
                for (int s = 1; s < m; s++) neighbours[a * m + s] = (a + (m == k ? s : 1 + (int) (seed % 2 + a) % (k - 1))) % k;
            }
            int[] previous = new int[n];
            for (int i = 0; i < n; i++) previous[i] = i % k; // balanced: sizes 4, 3, 3
            shuffle(previous, rnd);
            float[] dist = new float[n * m];
            for (int i = 0; i < dist.length; i++) dist[i] = (float) rnd.nextDouble(0, 10);
            double scale = 1;
            BalancedKMeansClustering.Auction auction = new BalancedKMeansClustering.Auction(n, k);
            int[] assign = new int[n];
            auction.assign(neighbours, m, previous, dist, scale, assign);
            int[] sizes = new int[k];
            for (int c : assign) sizes[c]++;
            for (int c = 0; c < k; c++) assertEquals(BalancedKMeansClustering.clusterSize(n, k, c), sizes[c], "seed " + seed + " cluster " + c);
            double cost = 0;
            for (int i = 0; i < n; i++) {
                assertEquals(assign[i], neighbours[previous[i] * m + auction.slot[i]], "slot of point " + i);
                cost += dist[i * m + auction.slot[i]];
            }
            double[] best = {Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY}; // best and second-best cost
            int[][] bestAssign = new int[1][];
            enumerate(0, new int[n], new int[k], n, k, m, neighbours, previous, dist, 0, best, bestAssign);
            double bound = n * BalancedKMeansClustering.Auction.EPSILON * scale;
            assertTrue(cost <= best[0] + bound + 1e-4, "seed " + seed + ": auction cost " + cost + " vs optimum " + best[0]);
            if (best[1] - best[0] > bound + 1e-4) { // a unique optimum beyond the tolerance: the auction finds it
                assertArrayEquals(bestAssign[0], assign, "seed " + seed + " m=" + m);
                unique++;
            }
            tested++;
        }
        assertTrue(unique > tested / 2, "most cases have a clear optimum: " + unique + " of " + tested);
    }

    @Test
    void prunedFitIsDeterministicForASeedAndTheSameWithBothKernels() {
        int n = 3000, k = 60, dim = 16;
        ItemEmbeddings x = SyntheticData.blobs(n, dim, 20, 11);
        int[][] runs = new int[3][];
        DistanceKernel[] kernels = {KernelProvider.panamaDistanceKernel(), KernelProvider.panamaDistanceKernel(), KernelProvider.scalarDistanceKernel()};
        for (int r = 0; r < 3; r++) {
            try (ForkJoinPool pool = new ForkJoinPool(2)) {
                LevelFit fit = BalancedKMeansClustering.fit(new ClusteringJob(kernels[r], pool, ProgressListener.NONE, "test", 8, 9, 6, 0),
                        x.data(), n, dim, k);
                assertEquals(8, fit.iterations());
                runs[r] = fit.assignment();
            }
        }
        assertArrayEquals(runs[0], runs[1], "same seed, same assignment");
        assertArrayEquals(runs[0], runs[2], "scalar kernel, same assignment");
    }

    private static void shuffle(int[] a, SplittableRandom rnd) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1), t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    private static void enumerate(int i, int[] assign, int[] sizes, int n, int k, int m, int[] neighbours, int[] previous,
                                  float[] dist, double cost, double[] best, int[][] bestAssign) {
        if (i == n) {
            if (cost < best[0]) {
                best[1] = best[0];
                best[0] = cost;
                bestAssign[0] = assign.clone();
            } else if (cost < best[1]) {
                best[1] = cost;
            }
            return;
        }
        for (int s = 0; s < m; s++) {
            int c = neighbours[previous[i] * m + s];
            if (sizes[c] == BalancedKMeansClustering.clusterSize(n, k, c)) continue;
            sizes[c]++;
            assign[i] = c;
            enumerate(i + 1, assign, sizes, n, k, m, neighbours, previous, dist, cost + dist[i * m + s], best, bestAssign);
            sizes[c]--;
        }
    }

    private static double quantizationError(float[] x, int n, int dim, LevelFit fit) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            int c = fit.assignment()[i];
            for (int d = 0; d < dim; d++) {
                double r = x[i * dim + d] - fit.centroids()[c * dim + d];
                s += r * r;
            }
        }
        return s / n;
    }

    /**
     * Algorithm 1 as written: for each cluster in turn, sort the unassigned points by distance to its centroid, take
     * the first w, update the centroid. Distances use the kernels' arithmetic (sequential fma dot products), ties go
     * to the lower point index.
     */
    private static int[] naive(float[] x, int n, int dim, int k, int iterations, long seed) {
        int[] init = KMeansClustering.sample(n, k, new SplittableRandom(seed));
        float[] centroids = new float[k * dim];
        for (int c = 0; c < k; c++) System.arraycopy(x, init[c] * dim, centroids, c * dim, dim);
        float[] norms = ClusteringJob.squaredNorms(x, n, dim);
        int[] assign = new int[n];
        for (int it = 0; it < iterations; it++) {
            boolean[] taken = new boolean[n];
            for (int c = 0; c < k; c++) {
                List<float[]> cand = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    if (taken[i]) continue;
                    float dot = 0;
                    for (int d = 0; d < dim; d++) dot = Math.fma(x[i * dim + d], centroids[c * dim + d], dot);
                    cand.add(new float[]{Math.fma(dot, -2f, norms[i]), i});
                }
                cand.sort(Comparator.<float[]>comparingDouble(a -> a[0]).thenComparingDouble(a -> a[1]));
                int w = BalancedKMeansClustering.clusterSize(n, k, c);
                for (int s = 0; s < w; s++) {
                    int i = (int) cand.get(s)[1];
                    taken[i] = true;
                    assign[i] = c;
                }
            }
            centroids = ClusteringJob.means(x, n, dim, assign, k, new int[k]);
        }
        return assign;
    }
}

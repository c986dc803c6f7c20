package io.onerec.cpu.codec;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Balanced K-means, OneRec's Algorithm 1, computed exactly: each iteration visits clusters 0..k-1 in turn; cluster
 * {@code c} takes the {@code w} unassigned points nearest to its centroid (w = n/k; the first {@code n mod k} clusters
 * take one more, so sizes differ by at most one), then its centroid becomes the mean of those points. Iterations
 * repeat until no assignment changes or the limit is reached.
 *
 * <p>Why this is fast enough at k = 8192, n = 1M: cluster c selects from the points still unassigned, using the
 * centroid it had at the start of the iteration (its update only happens after its own selection), so the distances
 * of a whole block of B clusters to all still-unassigned points can be computed at once as one blocked,
 * multithreaded GEMM-like kernel call ({@link DistanceKernel#dots}) instead of one matrix-vector product per cluster.
 * The block matrix is B x m (m = unassigned points at the start of the block, kept as a compacted index list), so
 * the total distance work per iteration is about n*k*dim/2 multiply-adds, half a plain K-means assignment pass,
 * because each block only looks at points that are still free. Selecting the w nearest free points of one cluster
 * is then a single scan of its row of the block matrix with a bounded max-heap of size w (O(m log w) worst case,
 * nearly O(m) in practice because few values beat the heap's top): no per-cluster sort. Points taken by a
 * cluster are set to +infinity in the rows of the later clusters of the block, so scans never test a flag. Ties are
 * broken by point index, which makes the result independent of the thread count.
 *
 * <p>This is the greedy sequential rule of the paper, not an approximation through each point's top-k centroids:
 * the late clusters of an iteration take what is left, exactly as in Algorithm 1.
 */
final class BalancedKMeansClustering {
    /** Upper bound on the floats of one block's distance matrix (128 MiB). */
    private static final long BLOCK_FLOATS = 32L << 20;
    /**
     * At most this many clusters per block: marking a taken point in the later rows of its block costs O(block), so
     * very wide blocks (late in a pass, when few points are free) would cost more than they save.
     */
    private static final int MAX_BLOCK_CLUSTERS = 256;

    private BalancedKMeansClustering() {
    }

    /** Size of cluster {@code c} when {@code n} points are spread over {@code k} clusters. */
    static int clusterSize(int n, int k, int c) {
        return n / k + (c < n % k ? 1 : 0);
    }

    static LevelFit fit(ClusteringJob job, float[] x, int n, int dim, int k) {
        if (n < k) {
            throw new IllegalArgumentException("balanced K-means with " + k + " clusters needs at least " + k + " points, got " + n);
        }
        // Algorithm 1 initialises the centroids randomly: k distinct points.
        int[] init = KMeansClustering.sample(n, k, new SplittableRandom(job.seed()));
        float[] centroids = new float[k * dim];
        for (int c = 0; c < k; c++) System.arraycopy(x, init[c] * dim, centroids, c * dim, dim);

        float[] xNorms = ClusteringJob.squaredNorms(x, n, dim);
        int[] assign = new int[n];
        int[] prev = null;
        int[] counts = new int[k];
        int it = 0;
        boolean converged = false;
        while (it < job.maxIterations()) {
            it++;
            double cost = assignPass(job, x, n, dim, k, centroids, xNorms, assign);
            centroids = ClusteringJob.means(x, n, dim, assign, k, counts);
            int changed = n;
            if (prev != null) {
                changed = 0;
                for (int i = 0; i < n; i++) if (assign[i] != prev[i]) changed++;
            }
            job.report(it, cost / n, Map.of("changed", (double) changed / n));
            if (changed == 0) {
                converged = true;
                break;
            }
            prev = assign.clone();
        }
        return new LevelFit(centroids, assign, it, converged);
    }

    /** One pass of Algorithm 1 over all clusters; returns the summed squared distance to the (old) centroids. */
    private static double assignPass(ClusteringJob job, float[] x, int n, int dim, int k, float[] centroids,
                                     float[] xNorms, int[] assign) {
        DistanceKernel kernel = job.kernel();
        PackedCentroids packed = kernel.pack(centroids, k, dim);
        int pw = packed.panelWidth();
        int[] free = Rows.identity(n);
        int m = n;
        float[] matrix = new float[0];
        Selection sel = new Selection();
        double cost = 0;
        int panels = packed.panels();
        int p = 0;
        while (p < panels) {
            long fit = Math.min(BLOCK_FLOATS / ((long) m * pw), MAX_BLOCK_CLUSTERS / pw);
            int blockPanels = (int) Math.max(1, Math.min(panels - p, fit));
            int c0 = p * pw, c1 = Math.min(k, (p + blockPanels) * pw);
            int b = c1 - c0;
            if (matrix.length < (long) b * m) matrix = new float[b * m];
            fillScores(kernel, job, x, free, m, packed, p, p + blockPanels, xNorms, matrix);
            for (int j = 0; j < b; j++) {
                int c = c0 + j;
                int size = clusterSize(n, k, c);
                sel.select(matrix, j * m, m, size);
                for (int s = 0; s < size; s++) {
                    int i = sel.index[s];
                    assign[free[i]] = c;
                    cost += sel.score[s] + packed.norms()[c];
                    for (int later = j + 1; later < b; later++) {
                        matrix[later * m + i] = Float.POSITIVE_INFINITY;
                    }
                    free[i] = -1;
                }
            }
            int kept = 0;
            for (int i = 0; i < m; i++) if (free[i] >= 0) free[kept++] = free[i];
            m = kept;
            p += blockPanels;
        }
        if (m != 0) throw new IllegalStateException("balanced assignment left " + m + " points unassigned");
        return cost;
    }

    /** matrix[j*m + i] = ||x_i||^2 - 2 x_i.c_j for the free points i and the block's clusters j. */
    private static void fillScores(DistanceKernel kernel, ClusteringJob job, float[] x, int[] free, int m,
                                   PackedCentroids packed, int p0, int p1, float[] xNorms, float[] matrix) {
        int b = Math.min(packed.count(), p1 * packed.panelWidth()) - p0 * packed.panelWidth();
        Rows.forEachBlock(job.pool(), Rows.blocks(m), blk -> {
            int from = blk * Rows.BLOCK, len = Math.min(Rows.BLOCK, m - from);
            kernel.dots(x, free, from, len, packed, p0, p1, matrix, from, 1, m);
            for (int j = 0; j < b; j++) {
                int o = j * m;
                for (int i = from; i < from + len; i++) {
                    matrix[o + i] = Math.fma(matrix[o + i], -2f, xNorms[free[i]]);
                }
            }
        });
    }

    /**
     * The {@code size} smallest values of one matrix row, by (value, position): a bounded max-heap, filled by one
     * scan. Reused across clusters to avoid garbage.
     */
    static final class Selection {
        float[] score = new float[16];
        int[] index = new int[16];
        private int size;

        void select(float[] row, int off, int m, int want) {
            if (score.length < want) {
                score = new float[want];
                index = new int[want];
            }
            size = 0;
            int i = 0;
            for (; i < m && size < want; i++) {
                float v = row[off + i];
                if (v != Float.POSITIVE_INFINITY) push(v, i);
            }
            if (size < want) {
                throw new IllegalStateException("only " + size + " free points left for a cluster of " + want);
            }
            // Scanning in increasing position, a value equal to the top orders after it: strict < is exact.
            float top = score[0];
            for (; i < m; i++) {
                float v = row[off + i];
                if (v < top) {
                    replaceTop(v, i);
                    top = score[0];
                }
            }
        }

        private void push(float v, int i) {
            int pos = size++;
            while (pos > 0) {
                int parent = (pos - 1) >>> 1;
                if (!after(v, i, score[parent], index[parent])) break;
                score[pos] = score[parent];
                index[pos] = index[parent];
                pos = parent;
            }
            score[pos] = v;
            index[pos] = i;
        }

        /** Replaces the heap top (the largest) with (v, i); only called when (v, i) orders before it. */
        private void replaceTop(float v, int i) {
            int pos = 0;
            while (true) {
                int l = 2 * pos + 1;
                if (l >= size) break;
                int r = l + 1;
                int big = (r < size && after(score[r], index[r], score[l], index[l])) ? r : l;
                if (!after(score[big], index[big], v, i)) break;
                score[pos] = score[big];
                index[pos] = index[big];
                pos = big;
            }
            score[pos] = v;
            index[pos] = i;
        }

        /** Whether (v, i) orders after (w, j): larger value, or equal value and larger position. */
        private static boolean after(float v, int i, float w, int j) {
            return v > w || (v == w && i > j);
        }
    }
}

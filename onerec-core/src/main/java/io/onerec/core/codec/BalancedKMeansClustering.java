package io.onerec.core.codec;

import io.onerec.core.vector.DistanceKernel;
import io.onerec.core.vector.PackedCentroids;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ForkJoinPool;

/**
 * Balanced K-means, OneRec's Algorithm 1, computed exactly: each iteration visits clusters 0..k-1 in turn; cluster
 * {@code c} takes the {@code w} unassigned points nearest to its centroid (w = n/k; the first {@code n mod k} clusters
 * take one more, so sizes differ by at most one), then its centroid becomes the mean of those points. Iterations
 * repeat until fewer than {@link ClusteringJob#convergence()} of the assignments change (0: none), or the limit.
 *
 * <p>How this stays fast at k = 8192, n = 1M (the naive form is k sorts of up to n distances per iteration):
 * <ul>
 *   <li>Cluster c selects with the centroid it had at the start of the iteration (its update happens after its own
 *       selection), so the distances of a whole block of B = {@value #BLOCK_CLUSTERS} clusters to the free points
 *       can be computed in one blocked, multithreaded pass ({@link DistanceKernel#scan}, GEMM-like, centroids
 *       L2-resident). Each block only looks at points still free, so a pass costs about n*k*dim/2 multiply-adds,
 *       half of one plain K-means assignment step, and the points are streamed k/B times, not k times.</li>
 *   <li>No distance matrix is stored. While scanning, every thread keeps for each cluster of the block a bounded
 *       max-heap of its best {@code 5w + 64} candidates (keys ordered by distance, then point index); the kernel
 *       only calls back when a distance beats the heap's current worst, which is rare after the first rows.</li>
 *   <li>Then the block's clusters select in order: merge the threads' candidates (a sort of a few hundred keys),
 *       skip points taken by earlier clusters, take the first w. This is exact when every full heap's worst
 *       candidate orders after the last point taken (any point outside a heap orders after its worst). When a
 *       cluster's candidates were used up by its predecessors in the block, the free points are scanned again for
 *       the remaining clusters of the block; after a rescan the next cluster always succeeds, so the pass ends.</li>
 * </ul>
 * Ties are broken by point index, so the result does not depend on the thread count. This is the greedy sequential
 * rule of the paper, not an approximation: the late clusters of an iteration take what is left, as in Algorithm 1.
 *
 * <p>Candidate pruning ({@link ClusteringJob#candidateClusters()} = m > 0), for OneRec scale: an exact pass costs
 * n*k*dim/2 multiply-adds (about 20 s at 1M x 8192 x 256 on 2 cores), and the greedy rule does not settle: its late
 * clusters take whatever is left, so a small move of an early centroid re-deals the leftovers of every later one
 * (at 1M x 3 x 8192, 6% of the assignments still moved after 10 exact iterations). After the first (exact) iteration,
 * the pruned fit therefore keeps the balance constraint but changes the assignment rule: it finds the balanced
 * assignment of least total squared distance, with each point restricted to the m centroids nearest to its current
 * one (a k-NN graph over the centroids, k*k*dim, recomputed every iteration), by an auction ({@link Auction}).
 * Every cluster gets exactly {@link #clusterSize} points, as before, because the auction fills a fixed number of
 * slots per cluster. The point's own cluster is always a candidate, so the previous assignment is one of the feasible
 * ones and the new one costs at most as much (to within n * epsilon) against the new centroids; the centroid update
 * lowers the cost again, so the iterations descend like Lloyd's and settle. An iteration costs n*m*dim for the
 * distances plus a few O(m) bids per point, instead of n*k*dim/2. With m >= k nothing is pruned: it is then the
 * optimal balanced assignment (to within n * epsilon) over all clusters.
 */
final class BalancedKMeansClustering {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BalancedKMeansClustering.class);
    /** Clusters per block: their packed centroids (512 x dim floats) stay in L2 while the free points stream by. */
    private static final int BLOCK_CLUSTERS = 512;
    /** Clusters re-scanned when one runs out of candidates. */
    private static final int RESCAN_CLUSTERS = 128;
    /** Candidates kept per cluster and thread: this many times the cluster size, plus 64. */
    private static final int CANDIDATE_FACTOR = 5;

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
        double changeRate = 1;
        Auction auction = job.candidateClusters() > 0 ? new Auction(n, k) : null;
        while (it < job.maxIterations()) {
            it++;
            long t0 = System.nanoTime();
            double cost = prev != null && auction != null
                    ? auctionPass(job, x, n, dim, k, centroids, xNorms, prev, assign, auction)
                    : assignPass(job, x, n, dim, k, centroids, xNorms, assign);
            centroids = ClusteringJob.means(x, n, dim, assign, k, counts);
            int changed = n;
            if (prev != null) {
                changed = 0;
                for (int i = 0; i < n; i++) if (assign[i] != prev[i]) changed++;
            }
            long millis = (System.nanoTime() - t0) / 1_000_000;
            changeRate = (double) changed / n;
            LOG.debug("balanced iteration {}: {} changed, {} ms", it, changed, millis);
            job.report(it, cost / n, Map.of("changed", changeRate, "millis", (double) millis));
            if (prev != null && job.converged(changed, n)) {
                converged = true;
                break;
            }
            prev = assign.clone();
        }
        return new LevelFit(centroids, assign, it, converged, changeRate);
    }

    /** One pass of Algorithm 1 over all clusters; returns the summed squared distance to the (old) centroids. */
    private static double assignPass(ClusteringJob job, float[] x, int n, int dim, int k, float[] centroids,
                                     float[] xNorms, int[] assign) {
        DistanceKernel kernel = job.kernel();
        PackedCentroids packed = kernel.pack(centroids, k, dim);
        int pw = packed.panelWidth();
        int blockPanels = Math.max(1, BLOCK_CLUSTERS / pw);
        int chunks = job.pool().getParallelism();
        int capacity = CANDIDATE_FACTOR * (n / k + 1) + 64;
        CandidateHeaps[] heaps = new CandidateHeaps[chunks];
        for (int t = 0; t < chunks; t++) heaps[t] = new CandidateHeaps(blockPanels * pw, capacity);
        boolean[] taken = new boolean[n];
        int[] free = Rows.identity(n);
        int m = n;
        long[] merged = new long[chunks * capacity];
        double cost = 0;
        long scanNanos = 0;
        int rescans = 0;
        for (int p = 0; p < packed.panels(); p += blockPanels) {
            int p1 = Math.min(packed.panels(), p + blockPanels);
            int c0 = p * pw, c1 = Math.min(k, p1 * pw);
            int next = c0; // first cluster of the block not yet assigned
            while (next < c1) {
                // Drop the points taken so far, then gather candidates among the points still free.
                int kept = 0;
                for (int i = 0; i < m; i++) if (!taken[free[i]]) free[kept++] = free[i];
                m = kept;
                long t0 = System.nanoTime();
                // First scan: the whole block. A rescan (some cluster ran out of candidates) only covers the next
                // RESCAN_CLUSTERS clusters; the later clusters keep their candidates, which stay valid.
                int jTo = next == c0 ? c1 - c0 : Math.min(c1 - c0, next - c0 + RESCAN_CLUSTERS);
                scan(job, x, free, m, packed, p, p1, next - c0, jTo, xNorms, heaps);
                scanNanos += System.nanoTime() - t0;
                if (next > c0) rescans++;
                while (next < c1) {
                    int j = next - c0;
                    int size = clusterSize(n, k, next);
                    int got = 0;
                    int count = 0;
                    for (CandidateHeaps h : heaps) count = h.drain(j, merged, count);
                    java.util.Arrays.sort(merged, 0, count);
                    long last = Long.MIN_VALUE;
                    for (int e = 0; e < count && got < size; e++) {
                        int point = (int) merged[e];
                        if (taken[point]) continue;
                        got++;
                        last = merged[e];
                    }
                    // Exact only if no unseen point can order before the last pick: every full heap's worst
                    // candidate must order after it (points outside a heap order after its worst one).
                    boolean exact = got == size;
                    for (CandidateHeaps h : heaps) exact &= !h.full(j) || h.worstKey(j) >= last;
                    if (!exact) break; // rescan the free points for the rest of the block
                    got = 0;
                    for (int e = 0; e < count && got < size; e++) {
                        int point = (int) merged[e];
                        if (taken[point]) continue;
                        got++;
                        taken[point] = true;
                        assign[point] = next;
                        cost += CandidateHeaps.score(merged[e]) + packed.norms()[next];
                    }
                    next++;
                }
            }
        }
        for (boolean t : taken) {
            if (!t) throw new IllegalStateException("balanced assignment left points unassigned");
        }
        LOG.debug("balanced pass: candidate scans {} ms, {} rescans", scanNanos / 1_000_000, rescans);
        return cost;
    }

    /**
     * One pruned assignment pass (see the class comment): every point is scored against the m centroids nearest to
     * its previous centroid, then {@link Auction} finds the balanced assignment of least total squared distance
     * within those candidates (to within n * epsilon), warm-started from the previous iteration's prices. Returns
     * the summed squared distance to the (old) centroids.
     */
    private static double auctionPass(ClusteringJob job, float[] x, int n, int dim, int k, float[] centroids,
                                      float[] xNorms, int[] previous, int[] assign, Auction auction) {
        DistanceKernel kernel = job.kernel();
        ForkJoinPool pool = job.pool();
        int m = Math.min(job.candidateClusters(), k);
        long t0 = System.nanoTime();
        int[] neighbours = nearestCentroids(job, centroids, k, dim, m);
        long t1 = System.nanoTime();
        // Members of each previous cluster, in point order (counting sort).
        int[] start = new int[k + 1];
        for (int i = 0; i < n; i++) start[previous[i] + 1]++;
        for (int c = 0; c < k; c++) start[c + 1] += start[c];
        int[] members = new int[n];
        int[] fill = Arrays.copyOf(start, k);
        for (int i = 0; i < n; i++) members[fill[previous[i]]++] = i;
        // The auction works on the points in this order (grouped by previous cluster), so that a cluster's members
        // and their distance rows lie together in memory; position r is point members[r].
        int[] position = new int[n];
        for (int r = 0; r < n; r++) position[members[r]] = r;
        // Squared distance of every point to the m neighbours of its cluster: one small GEMM per cluster.
        float[] cNorms = ClusteringJob.squaredNorms(centroids, k, dim);
        float[] dist = new float[n * m];
        int tasks = Math.min(k, pool.getParallelism() * 16);
        Rows.forEachBlock(pool, tasks, t -> {
            float[] gathered = new float[m * dim];
            float[] threshold = null;
            for (int a = (int) ((long) k * t / tasks), aEnd = (int) ((long) k * (t + 1) / tasks); a < aEnd; a++) {
                if (start[a + 1] == start[a]) continue;
                for (int s = 0; s < m; s++) System.arraycopy(centroids, neighbours[a * m + s] * dim, gathered, s * dim, dim);
                PackedCentroids packed = kernel.pack(gathered, m, dim);
                if (threshold == null) {
                    threshold = new float[packed.panels() * packed.panelWidth()];
                    Arrays.fill(threshold, Float.NEGATIVE_INFINITY);
                    Arrays.fill(threshold, 0, m, Float.POSITIVE_INFINITY);
                }
                int nb = a * m;
                for (int r = start[a]; r < start[a + 1]; r += Rows.BLOCK) {
                    kernel.scan(x, members, r, Math.min(Rows.BLOCK, start[a + 1] - r), packed, 0, packed.panels(), xNorms,
                            threshold, 0, (point, j, sc) -> dist[position[point] * m + j] = sc + cNorms[neighbours[nb + j]]);
                }
            }
        });
        long t2 = System.nanoTime();
        int[] from = new int[n];
        double current = 0; // the distances of the previous assignment, the scale of epsilon
        for (int r = 0; r < n; r++) {
            int a = previous[members[r]], s = 0;
            while (neighbours[a * m + s] != a) s++;
            from[r] = a;
            current += Math.max(0f, dist[r * m + s]);
        }
        int[] to = new int[n];
        long cpu0 = LOG.isDebugEnabled() ? java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() : 0;
        long raises = auction.assign(neighbours, m, from, dist, current / n, to);
        long auctionCpu = LOG.isDebugEnabled() ? java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - cpu0 : 0;
        double cost = 0;
        for (int r = 0; r < n; r++) {
            assign[members[r]] = to[r];
            cost += dist[r * m + auction.slot[r]];
        }
        // The auction runs on this thread: its CPU time is what it would take on an idle core.
        LOG.debug("auction pass (m={}): neighbours {} ms, distances {} ms, auction {} ms ({} ms CPU; {} moves, {} price raises, {} phases)", m,
                (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000, auctionCpu / 1_000_000,
                auction.moved, raises, auction.phases);
        return cost;
    }

    /**
     * Balanced assignment over a sparse candidate graph by an auction with one price per cluster (epsilon-relaxation
     * for this transportation problem): point i may go to the clusters {@code neighbours[previous[i] * m + s]},
     * s < m, at squared distance {@code dist[i * m + s]}; cluster c must receive exactly {@link #clusterSize} points.
     * A point belongs to a cluster of least {@code dist + price} among its candidates, to within epsilon
     * (epsilon-complementary slackness). A cluster holding more points than its size raises its price to the least
     * value at which only its size's worth of points still want it (the (size+1)-th largest of its points' margins,
     * plus epsilon) and the others move to their next-best candidate, which may overfill that cluster in turn.
     * Prices never fall, a cluster below its size keeps its price, and one balanced assignment exists within the
     * candidates (the previous one: a point's own cluster is always among its candidates), so the overfull clusters
     * drain into the underfull ones and the loop ends with every cluster exactly at its size. The result costs at
     * most n * epsilon more than the best balanced assignment within the candidates (same price argument as
     * Bertsekas' auction); one price per cluster, not per slot, avoids the auction's price wars between the
     * n/k identical slots of a cluster.
     *
     * <p>Epsilon scaling and warm start: each auction runs phases at epsilon {@value #START_EPSILON},
     * then divided by {@value #SCALING} down to {@value #EPSILON} (relative to the mean squared distance); each phase
     * starts from the last phase's assignment and prices and moves only the points that violate
     * epsilon-complementary slackness at its epsilon. Prices carry over from one iteration to the next. Overfull
     * clusters are served in a FIFO queue, ties go to the lower point position and the lower candidate index:
     * deterministic and single-threaded. A raise reads each member's cached best alternative (exact while that
     * cluster's price is unchanged), so it costs O(members) plus O(m) per moved point.
     */
    static final class Auction {
        /** Final epsilon, relative to the mean squared distance of the points to their previous centroids. */
        static final double EPSILON = 2e-3;
        /** First epsilon of every auction, relative like {@link #EPSILON} (the first of a level starts at price 0). */
        static final double START_EPSILON = 0.128;
        /** Epsilon is divided by this from one phase to the next. */
        static final double SCALING = 4;

        private final int n;
        private final int k;
        private final double[] price;
        private final int[] count;
        private final int[] first;
        private final int[] next;
        /** Each point's candidate index (into its m candidates) of the cluster it is in. */
        final int[] slot;
        private final int[] queue;
        private final boolean[] queued;
        private final int[] otherOf;
        private final int[] otherExcluding;
        private final double[] otherPrice;
        private final double[] otherCost;
        long moved;
        long raises;
        int phases;

        Auction(int n, int k) {
            this.n = n;
            this.k = k;
            price = new double[k];
            count = new int[k];
            first = new int[k];
            next = new int[n];
            slot = new int[n];
            queue = new int[k];
            queued = new boolean[k];
            otherOf = new int[n];
            otherExcluding = new int[n];
            otherPrice = new double[n];
            otherCost = new double[n];
        }

        /**
         * Runs the auction (see the class comment) from the balanced assignment {@code previous} and writes each
         * point's cluster to {@code assign} and its candidate index to {@link #slot}; {@code scale} is the mean
         * squared distance epsilon is relative to. Returns the number of price raises.
         */
        long assign(int[] neighbours, int m, int[] previous, float[] dist, double scale, int[] assign) {
            double finalEps = Math.max(EPSILON * scale, Double.MIN_NORMAL);
            double eps = Math.max(START_EPSILON * scale, finalEps);
            Arrays.fill(otherExcluding, -1); // new distances: no cached minimum is valid
            moved = 0;
            raises = 0;
            phases = 0;
            int[] from = previous;
            while (true) {
                phase(neighbours, m, previous, from, dist, eps, assign);
                phases++;
                if (eps <= finalEps) break;
                eps = Math.max(finalEps, eps / SCALING);
                from = assign.clone();
            }
            return raises;
        }

        /**
         * The least {@code dist + price} of point i over its candidates other than c. Cached: prices only rise within
         * an auction, so a cached minimum stays exact while the price of the cluster it came from is unchanged.
         */
        private double otherCost(int i, int c, int[] neighbours, int m, int[] previous, float[] dist) {
            int j = otherOf[i];
            if (otherExcluding[i] == c && price[j] == otherPrice[i]) return otherCost[i];
            int base = previous[i] * m, row = i * m;
            double best = Double.POSITIVE_INFINITY;
            j = c;
            for (int s = 0; s < m; s++) {
                int o = neighbours[base + s];
                double cost = dist[row + s] + price[o];
                if (o != c && cost < best) {
                    best = cost;
                    j = o;
                }
            }
            otherExcluding[i] = c;
            otherOf[i] = j;
            otherPrice[i] = price[j];
            otherCost[i] = best;
            return best;
        }

        /** One phase at one epsilon: from the balanced assignment {@code from}, move the violators, drain. */
        private void phase(int[] neighbours, int m, int[] previous, int[] from, float[] dist, double eps, int[] assign) {
            Arrays.fill(count, 0);
            Arrays.fill(first, -1);
            for (int i = n - 1; i >= 0; i--) { // lists in point order
                int base = previous[i] * m, row = i * m, own = 0;
                while (neighbours[base + own] != from[i]) own++;
                int best = 0;
                double bestCost = Double.POSITIVE_INFINITY;
                for (int s = 0; s < m; s++) {
                    double cost = dist[row + s] + price[neighbours[base + s]];
                    if (cost < bestCost) {
                        best = s;
                        bestCost = cost;
                    }
                }
                // Stay unless another candidate is cheaper by more than epsilon.
                if (bestCost < dist[row + own] + price[from[i]] - eps) moved++;
                else best = own;
                int c = neighbours[base + best];
                assign[i] = c;
                slot[i] = best;
                next[i] = first[c];
                first[c] = i;
                count[c]++;
            }
            int head = 0, pending = 0;
            for (int c = 0; c < k; c++) {
                if (count[c] > clusterSize(n, k, c)) {
                    queue[pending++] = c;
                    queued[c] = true;
                }
            }
            long[] keys = new long[16];
            double[] margins = new double[16];
            boolean[] keep = new boolean[16];
            int[] order = new int[16];
            while (pending > 0) {
                int c = queue[head];
                head = head + 1 == k ? 0 : head + 1;
                pending--;
                queued[c] = false;
                int size = clusterSize(n, k, c), members = count[c];
                if (members <= size) continue;
                if (keys.length < members) {
                    keys = new long[2 * members];
                    margins = new double[2 * members];
                    keep = new boolean[2 * members];
                    order = new int[2 * members];
                }
                // Margin of a member: how far c's price may rise before another candidate is cheaper for it.
                int e = 0;
                for (int i = first[c]; i >= 0; i = next[i], e++) {
                    margins[e] = otherCost(i, c, neighbours, m, previous, dist) - dist[i * m + slot[i]];
                    keys[e] = (CandidateHeaps.key((float) -margins[e], i) & 0xffffffff00000000L) | e;
                }
                // Order by margin, largest first (ties by list position); only the last `members - size` need to be
                // in place, usually one or two: select them from the end unless there are many.
                if (members - size <= 8) {
                    for (int r = members - 1; r >= size; r--) {
                        int at = r;
                        for (int q = 0; q < r; q++) if (keys[q] > keys[at]) at = q;
                        long t = keys[at];
                        keys[at] = keys[r];
                        keys[r] = t;
                    }
                } else {
                    Arrays.sort(keys, 0, members);
                }
                raises++;
                price[c] = Math.max(price[c], margins[(int) keys[size]] + eps);
                // Keep the first `size`; rebuild c's list in its order, move the rest.
                Arrays.fill(keep, 0, members, false);
                for (int r = 0; r < size; r++) keep[(int) keys[r]] = true;
                e = 0;
                for (int i = first[c]; i >= 0; i = next[i]) order[e++] = i;
                first[c] = -1;
                count[c] = size;
                int tail = -1;
                for (e = 0; e < members; e++) {
                    int i = order[e];
                    if (keep[e]) {
                        if (tail < 0) first[c] = i;
                        else next[tail] = i;
                        tail = i;
                        continue;
                    }
                    int base = previous[i] * m, row = i * m, best = -1;
                    double bestCost = Double.POSITIVE_INFINITY;
                    for (int s = 0; s < m; s++) {
                        int j = neighbours[base + s];
                        double cost = dist[row + s] + price[j];
                        if (j != c && cost < bestCost) {
                            best = s;
                            bestCost = cost;
                        }
                    }
                    int j = neighbours[base + best];
                    assign[i] = j;
                    slot[i] = best;
                    next[i] = first[j];
                    first[j] = i;
                    count[j]++;
                    moved++;
                    if (count[j] > clusterSize(n, k, j) && !queued[j]) {
                        int t = head + pending;
                        queue[t >= k ? t - k : t] = j;
                        queued[j] = true;
                        pending++;
                    }
                }
                if (tail >= 0) next[tail] = -1;
            }
        }
    }

    /** The m centroids nearest to each centroid (itself first), {@code [k * m]}. */
    private static int[] nearestCentroids(ClusteringJob job, float[] centroids, int k, int dim, int m) {
        DistanceKernel kernel = job.kernel();
        PackedCentroids packed = kernel.pack(centroids, k, dim);
        int pw = packed.panelWidth(), panels = packed.panels();
        // Column b's heap keeps the rows a with the smallest ||a||^2 - 2 a.b, i.e. the centroids nearest to b.
        CandidateHeaps heaps = new CandidateHeaps(panels * pw, m);
        heaps.reset(0, k);
        float[] norms = ClusteringJob.squaredNorms(centroids, k, dim);
        int[] rows = Rows.identity(k);
        int tasks = Math.min(panels, job.pool().getParallelism() * 4);
        // Tasks own disjoint panels, hence disjoint heaps and thresholds.
        Rows.forEachBlock(job.pool(), tasks, t -> {
            int p0 = (int) ((long) panels * t / tasks), p1 = (int) ((long) panels * (t + 1) / tasks);
            for (int r = 0; r < k; r += Rows.BLOCK) {
                kernel.scan(centroids, rows, r, Math.min(Rows.BLOCK, k - r), packed, p0, p1, norms, heaps.threshold, p0 * pw,
                        (point, centroid, score) -> heaps.offer(centroid, point, score));
            }
        });
        int[] neighbours = new int[k * m];
        long[] buf = new long[m];
        for (int b = 0; b < k; b++) {
            int count = heaps.drain(b, buf, 0);
            Arrays.sort(buf, 0, count);
            boolean self = false;
            for (int s = 0; s < m; s++) {
                neighbours[b * m + s] = (int) buf[s];
                self |= (int) buf[s] == b;
            }
            if (!self) { // rounding put other centroids at distance ~0 ahead of b: b must stay a candidate of its points
                System.arraycopy(neighbours, b * m, neighbours, b * m + 1, m - 1);
                neighbours[b * m] = b;
            }
        }
        return neighbours;
    }

    /** Fills each chunk's heaps with its best candidates for block clusters [jFrom, jTo) (block-relative). */
    private static void scan(ClusteringJob job, float[] x, int[] free, int m, PackedCentroids packed, int p0, int p1,
                             int jFrom, int jTo, float[] xNorms, CandidateHeaps[] heaps) {
        int chunks = heaps.length;
        int pw = packed.panelWidth();
        int skip = jFrom / pw; // panels wholly before jFrom are already assigned: do not compute them again
        int last = Math.min(p1, p0 + (jTo + pw - 1) / pw);
        int firstCluster = p0 * pw;
        Rows.forEachBlock(job.pool(), chunks, t -> {
            CandidateHeaps h = heaps[t];
            h.reset(jFrom, jTo);
            int from = (int) ((long) m * t / chunks), to = (int) ((long) m * (t + 1) / chunks);
            for (int r = from; r < to; r += Rows.BLOCK) {
                job.kernel().scan(x, free, r, Math.min(Rows.BLOCK, to - r), packed, p0 + skip, last, xNorms,
                        h.threshold, skip * pw, (point, centroid, score) -> h.offer(centroid - firstCluster, point, score));
            }
        });
    }

    /**
     * Per chunk of points, the best {@code capacity} candidates of every cluster of a block: one bounded max-heap per
     * cluster over keys that order by (score, point). {@code threshold[j]} mirrors a full heap's worst score (what a
     * new candidate must beat) for the kernel; clusters not being searched have -infinity.
     */
    static final class CandidateHeaps {
        private final int capacity;
        private final long[] keys;
        private final int[] sizes;
        final float[] threshold;

        CandidateHeaps(int clusters, int capacity) {
            this.capacity = capacity;
            this.keys = new long[clusters * capacity];
            this.sizes = new int[clusters];
            this.threshold = new float[clusters];
        }

        /** Empties the heaps of clusters [jFrom, jTo) and makes them the only ones the kernel offers to. */
        void reset(int jFrom, int jTo) {
            java.util.Arrays.fill(sizes, jFrom, jTo, 0);
            java.util.Arrays.fill(threshold, Float.NEGATIVE_INFINITY);
            java.util.Arrays.fill(threshold, jFrom, jTo, Float.POSITIVE_INFINITY);
        }

        /** Sortable key: the score's order in the high word, the point in the low word. */
        static long key(float score, int point) {
            if (score == 0f) score = 0f; // -0 and +0 compare equal as floats; give them one key
            int bits = Float.floatToRawIntBits(score);
            bits ^= (bits >> 31) & 0x7fffffff;
            return ((long) bits << 32) | (point & 0xffffffffL);
        }

        static float score(long key) {
            int bits = (int) (key >> 32);
            bits ^= (bits >> 31) & 0x7fffffff;
            return Float.intBitsToFloat(bits);
        }

        void offer(int j, int point, float score) {
            long key = key(score, point);
            int base = j * capacity;
            int size = sizes[j];
            if (size < capacity) {
                int pos = size;
                sizes[j] = size + 1;
                while (pos > 0) {
                    int parent = (pos - 1) >>> 1;
                    if (keys[base + parent] >= key) break;
                    keys[base + pos] = keys[base + parent];
                    pos = parent;
                }
                keys[base + pos] = key;
                if (size + 1 == capacity) threshold[j] = score(keys[base]);
                return;
            }
            if (key >= keys[base]) return;
            int pos = 0;
            while (true) {
                int l = 2 * pos + 1;
                if (l >= capacity) break;
                int r = l + 1;
                int big = (r < capacity && keys[base + r] > keys[base + l]) ? r : l;
                if (keys[base + big] <= key) break;
                keys[base + pos] = keys[base + big];
                pos = big;
            }
            keys[base + pos] = key;
            threshold[j] = score(keys[base]);
        }

        boolean full(int j) {
            return sizes[j] == capacity;
        }

        long worstKey(int j) {
            return keys[j * capacity];
        }

        /** Appends cluster j's candidates to {@code out} from {@code count}; returns the new count. */
        int drain(int j, long[] out, int count) {
            System.arraycopy(keys, j * capacity, out, count, sizes[j]);
            return count + sizes[j];
        }
    }
}

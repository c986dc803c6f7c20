package io.onerec.core.codec;

import io.onerec.core.vector.DistanceKernel;
import io.onerec.core.vector.PackedCentroids;
import io.onerec.core.vector.KernelProvider;
import io.onerec.api.ItemEmbeddings;
import io.onerec.api.ProgressListener;
import it.unimi.dsi.fastutil.ints.IntArrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ForkJoinPool;

/**
 * Fits a {@link ResidualCodec}: level l clusters the residuals {@code r^l} (r^0 = the item embeddings) into
 * {@code K_l} centroids, each item takes code {@code c^l}, and {@code r^{l+1} = r^l - centroid(c^l)}. Items that end
 * up with the same L codes get a final disambiguation code 0..g-1 in item order (TIGER style), so every SID is
 * unique. Deterministic for a given seed, whatever the thread count.
 */
public final class ResidualCodecFitter {
    private static final Logger LOG = LoggerFactory.getLogger(ResidualCodecFitter.class);

    /** How each level is clustered. */
    public enum Method {
        /** OneRec's balanced K-means: every code gets n/K items (sizes differ by at most one). */
        BALANCED,
        /** Plain K-means (k-means++ seeding, Lloyd iterations). */
        KMEANS
    }

    /**
     * @param codebookSizes K per quantization level (length = levels)
     * @param maxIterations clustering iterations per level at most
     * @param threads       worker threads for the distance kernels
     * @param candidateClusters balanced K-means only: 0 = every iteration is OneRec's Algorithm 1 exactly (greedy, all
     *                      clusters); m > 0 = the first iteration is, the later ones assign each item among the m
     *                      clusters nearest to its current one, by the least-cost balanced assignment (an auction;
     *                      see {@link BalancedKMeansClustering}). Every code still holds n/K or n/K+1 items. 32 is the
     *                      measured setting (1M x 256 at 3 x 8192; Beauty 3 x 256: lower error than the exact greedy).
     * @param convergence   a level stops once fewer than this fraction of assignments change in an iteration
     *                      (0 = only when none changes); {@code maxIterations} caps it. OneRec scale: 0.01
     */
    public record Config(int[] codebookSizes, Method method, int maxIterations, long seed, int threads,
                         int candidateClusters, double convergence) {
        public Config {
            if (candidateClusters < 0) throw new IllegalArgumentException("candidateClusters must be >= 0, got " + candidateClusters);
            if (!(convergence >= 0 && convergence < 1)) throw new IllegalArgumentException("convergence must be in [0, 1), got " + convergence);
            if (codebookSizes.length == 0) throw new IllegalArgumentException("need at least one level");
            for (int k : codebookSizes) {
                if (k < 1) throw new IllegalArgumentException("codebook sizes must be positive: " + Arrays.toString(codebookSizes));
            }
            if (maxIterations < 1) throw new IllegalArgumentException("maxIterations must be >= 1, got " + maxIterations);
            if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
            codebookSizes = codebookSizes.clone();
            if (method == null) throw new IllegalArgumentException("method is null");
        }

        /** Exact assignment steps, iterating until nothing changes (or the limit). */
        public Config(int[] codebookSizes, Method method, int maxIterations, long seed, int threads) {
            this(codebookSizes, method, maxIterations, seed, threads, 0, 0);
        }

        /** OneRec's setting: 3 levels of 256 codes, balanced K-means, 20 iterations per level, all cores. */
        public static Config defaults() {
            return of(3, 256, Method.BALANCED);
        }

        public static Config of(int levels, int codebookSize, Method method) {
            int[] sizes = new int[levels];
            Arrays.fill(sizes, codebookSize);
            return new Config(sizes, method, 20, 42L, Runtime.getRuntime().availableProcessors());
        }

        public int levels() {
            return codebookSizes.length;
        }

        @Override
        public int[] codebookSizes() {
            return codebookSizes.clone();
        }

        public Config withMaxIterations(int n) {
            return new Config(codebookSizes, method, n, seed, threads, candidateClusters, convergence);
        }

        public Config withSeed(long s) {
            return new Config(codebookSizes, method, maxIterations, s, threads, candidateClusters, convergence);
        }

        public Config withThreads(int t) {
            return new Config(codebookSizes, method, maxIterations, seed, t, candidateClusters, convergence);
        }

        public Config withMethod(Method m) {
            return new Config(codebookSizes, m, maxIterations, seed, threads, candidateClusters, convergence);
        }

        public Config withCandidateClusters(int m) {
            return new Config(codebookSizes, method, maxIterations, seed, threads, m, convergence);
        }

        public Config withConvergence(double fraction) {
            return new Config(codebookSizes, method, maxIterations, seed, threads, candidateClusters, fraction);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Config c && Arrays.equals(codebookSizes, c.codebookSizes) && method == c.method
                    && maxIterations == c.maxIterations && seed == c.seed && threads == c.threads
                    && candidateClusters == c.candidateClusters && convergence == c.convergence;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(codebookSizes) * 31 + java.util.Objects.hash(method, maxIterations, seed, threads, candidateClusters, convergence);
        }

        @Override
        public String toString() {
            return "Config[sizes=" + Arrays.toString(codebookSizes) + ", method=" + method + ", maxIterations=" + maxIterations
                    + ", seed=" + seed + ", threads=" + threads + ", candidateClusters=" + candidateClusters
                    + ", convergence=" + convergence + "]";
        }
    }

    /** A fitted codec with its quality report. */
    public record Result(ResidualCodec codec, CodecReport report) {
    }

    private final Config config;
    private final DistanceKernel kernel;
    private final ProgressListener listener;

    public ResidualCodecFitter(Config config) {
        this(config, ProgressListener.NONE);
    }

    public ResidualCodecFitter(Config config, ProgressListener listener) {
        this(config, KernelProvider.distanceKernel(), listener);
    }

    /** With an explicit kernel (benchmarks compare the scalar and Panama kernels). */
    public ResidualCodecFitter(Config config, DistanceKernel kernel, ProgressListener listener) {
        this.config = config;
        this.kernel = kernel;
        this.listener = listener;
    }

    public Config config() {
        return config;
    }

    public Result fit(ItemEmbeddings embeddings) {
        int n = embeddings.count(), dim = embeddings.dim();
        int levels = config.levels();
        int[] sizes = config.codebookSizes();
        for (int l = 0; l < levels; l++) {
            if (sizes[l] > n) {
                throw new IllegalArgumentException("level " + l + " has " + sizes[l] + " codes but there are only " + n + " items");
            }
        }
        float[] residual = embeddings.data().clone();
        for (int i = 0; i < residual.length; i++) {
            if (!Float.isFinite(residual[i])) {
                throw new IllegalArgumentException("embedding of item " + (i / dim) + " holds a non-finite value " + residual[i]);
            }
        }
        long start = System.nanoTime();
        LOG.info("fitting codec: {} items, dim {}, {}, kernel {}", n, dim, config, kernel.name());
        double meanSquaredNorm = meanSquaredNorm(residual, n, dim);
        float[][] codebooks = new float[levels][];
        int[][] codes = new int[levels][];
        List<LevelReport> reports = new ArrayList<>();
        try (ForkJoinPool pool = new ForkJoinPool(config.threads())) {
            for (int l = 0; l < levels; l++) {
                long t0 = System.nanoTime();
                ClusteringJob job = new ClusteringJob(kernel, pool, listener, "codec/level-" + (l + 1), config.maxIterations(),
                        config.seed() * 1_000_003L + l, config.candidateClusters(), config.convergence());
                LevelFit fit = config.method() == Method.BALANCED
                        ? BalancedKMeansClustering.fit(job, residual, n, dim, sizes[l])
                        : KMeansClustering.fit(job, residual, n, dim, sizes[l]);
                codebooks[l] = fit.centroids();
                codes[l] = fit.assignment();
                subtract(residual, n, dim, fit.centroids(), fit.assignment());
                LevelReport report = LevelReport.of(l + 1, sizes[l], fit.assignment(), meanSquaredNorm(residual, n, dim),
                        fit.iterations(), fit.converged(), fit.changeRate(), (System.nanoTime() - t0) / 1_000_000);
                LOG.info("codec {}", report);
                reports.add(report);
            }
        }
        Disambiguation dis = disambiguate(codes, n);
        int positions = levels + (dis.needed() ? 1 : 0);
        int[] table = new int[n * positions];
        for (int i = 0; i < n; i++) {
            for (int l = 0; l < levels; l++) table[i * positions + l] = codes[l][i];
            if (dis.needed()) table[i * positions + levels] = dis.codes()[i];
        }
        int[] allSizes = Arrays.copyOf(sizes, positions);
        if (dis.needed()) allSizes[levels] = dis.maxGroup();
        ResidualCodec codec = new ResidualCodec(dim, codebooks, allSizes, dis.needed(), config.method(), table);
        CodecReport report = new CodecReport(reports, meanSquaredNorm, dis.collisionRate(), dis.distinct(), dis.maxGroup(),
                (System.nanoTime() - start) / 1_000_000);
        LOG.info("codec fitted in {} ms: {} distinct code tuples for {} items, collision rate {} (largest group {}){}",
                report.fitMillis(), dis.distinct(), n, String.format("%.4f", dis.collisionRate()), dis.maxGroup(),
                dis.needed() ? ", disambiguation code added" : ", no disambiguation needed");
        return new Result(codec, report);
    }

    private record Disambiguation(int[] codes, int maxGroup, int distinct, double collisionRate) {
        boolean needed() {
            return maxGroup > 1;
        }
    }

    /** Groups items by their L codes; within a group, items get 0, 1, ... in item order. */
    private static Disambiguation disambiguate(int[][] codes, int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        IntArrays.quickSort(order, (a, b) -> {
            for (int[] level : codes) {
                int c = Integer.compare(level[a], level[b]);
                if (c != 0) return c;
            }
            return Integer.compare(a, b);
        });
        int[] dis = new int[n];
        int maxGroup = 0, distinct = 0, colliding = 0;
        int i = 0;
        while (i < n) {
            int j = i + 1;
            while (j < n && sameCodes(codes, order[i], order[j])) j++;
            for (int g = i; g < j; g++) dis[order[g]] = g - i;
            maxGroup = Math.max(maxGroup, j - i);
            if (j - i > 1) colliding += j - i;
            distinct++;
            i = j;
        }
        return new Disambiguation(dis, maxGroup, distinct, (double) colliding / n);
    }

    private static boolean sameCodes(int[][] codes, int a, int b) {
        for (int[] level : codes) if (level[a] != level[b]) return false;
        return true;
    }

    private static void subtract(float[] residual, int n, int dim, float[] centroids, int[] assignment) {
        for (int i = 0; i < n; i++) {
            int ro = i * dim, co = assignment[i] * dim;
            for (int d = 0; d < dim; d++) residual[ro + d] -= centroids[co + d];
        }
    }

    private static double meanSquaredNorm(float[] x, int n, int dim) {
        double s = 0;
        for (int i = 0; i < n; i++) s += PackedCentroids.squaredNorm(x, i * dim, dim);
        return s / n;
    }
}

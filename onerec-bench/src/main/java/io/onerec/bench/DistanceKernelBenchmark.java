package io.onerec.bench;

import io.onerec.core.vector.KernelProvider;
import io.onerec.core.vector.DistanceKernel;
import io.onerec.core.vector.PackedCentroids;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The codec's hot loops on one thread: nearest centroid of 1024 rows among K centroids ({@code nearest}, plain
 * K-means and encoding) and the candidate scan of balanced K-means ({@code scan}), for the Panama kernel and the
 * scalar reference.
 * Report Panama as a ratio against scalar at the same parameters. Multiply-adds per op: rows * K * dim.
 *
 * <pre>java --add-modules jdk.incubator.vector -jar onerec-bench/target/benchmarks.jar DistanceKernelBenchmark</pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class DistanceKernelBenchmark {
    @Param({"panama", "scalar"})
    public String kernel;
    @Param({"256"})
    public int dim;
    @Param({"1024"})
    public int k;

    private static final int ROWS = 1024;
    private DistanceKernel impl;
    private float[] x;
    private int[] rows;
    private PackedCentroids centroids;
    private float[] scores;
    private int[] best;
    private float[] xNorms;
    private float[] threshold;
    private long offered;

    @Setup(Level.Trial)
    public void setup() {
        impl = kernel.equals("scalar") ? KernelProvider.scalarDistanceKernel() : KernelProvider.panamaDistanceKernel();
        x = SyntheticEmbeddings.mixture(ROWS, dim, 16, 1).data();
        float[] c = SyntheticEmbeddings.mixture(k, dim, 16, 2).data();
        centroids = impl.pack(c, k, dim);
        rows = new int[ROWS];
        for (int i = 0; i < ROWS; i++) rows[i] = i;
        scores = new float[ROWS];
        best = new int[ROWS];
        xNorms = new float[ROWS];
        for (int i = 0; i < ROWS; i++) xNorms[i] = PackedCentroids.squaredNorm(x, i * dim, dim);
        threshold = new float[centroids.panels() * centroids.panelWidth()];
        Arrays.fill(threshold, -1e30f);
    }

    @Benchmark
    public int[] nearest() {
        Arrays.fill(scores, Float.POSITIVE_INFINITY);
        // Panels in L2-sized groups, rows in blocks of 256, as the fitters call it.
        int group = Math.max(1, (128 * 1024) / (dim * centroids.panelWidth() * 4));
        for (int from = 0; from < ROWS; from += 256) {
            for (int p = 0; p < centroids.panels(); p += group) {
                impl.nearest(x, rows, from, 256, centroids, p, Math.min(centroids.panels(), p + group), scores, best, from);
            }
        }
        return best;
    }

    /**
     * The balanced fitter's candidate scan over 512 clusters at a time. Thresholds are set so that nothing is offered:
     * this measures the fused distance + compare, not the heaps.
     */
    @Benchmark
    public float[] scan() {
        int panelsPerBlock = Math.max(1, 512 / centroids.panelWidth());
        for (int p = 0; p < centroids.panels(); p += panelsPerBlock) {
            int p1 = Math.min(centroids.panels(), p + panelsPerBlock);
            for (int from = 0; from < ROWS; from += 256) {
                impl.scan(x, rows, from, 256, centroids, p, p1, xNorms, threshold, 0, (point, centroid, score) -> offered++);
            }
        }
        return threshold;
    }
}

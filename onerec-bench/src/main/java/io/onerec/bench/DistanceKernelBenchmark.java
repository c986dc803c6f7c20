package io.onerec.bench;

import io.onerec.cpu.codec.DistanceKernel;
import io.onerec.cpu.codec.DistanceKernels;
import io.onerec.cpu.codec.PackedCentroids;
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
 * The codec's hot loop on one thread: nearest centroid of 1024 rows among K centroids ({@code nearest}) and the raw
 * dot-product block the balanced fitter uses ({@code dots}), for the Panama kernel and the scalar reference.
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
    private float[] dots;

    @Setup(Level.Trial)
    public void setup() {
        impl = kernel.equals("scalar") ? DistanceKernels.scalar() : DistanceKernels.panama();
        x = SyntheticEmbeddings.mixture(ROWS, dim, 16, 1).data();
        float[] c = SyntheticEmbeddings.mixture(k, dim, 16, 2).data();
        centroids = impl.pack(c, k, dim);
        rows = new int[ROWS];
        for (int i = 0; i < ROWS; i++) rows[i] = i;
        scores = new float[ROWS];
        best = new int[ROWS];
        dots = new float[ROWS * k];
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

    @Benchmark
    public float[] dots() {
        int panelsPerBlock = Math.max(1, 256 / centroids.panelWidth());
        for (int p = 0; p < centroids.panels(); p += panelsPerBlock) {
            int p1 = Math.min(centroids.panels(), p + panelsPerBlock);
            int col0 = p * centroids.panelWidth();
            for (int from = 0; from < ROWS; from += 256) {
                // transposed output (cluster-major), as the balanced fitter writes it
                impl.dots(x, rows, from, 256, centroids, p, p1, dots, col0 * ROWS + from, 1, ROWS);
            }
        }
        return dots;
    }
}

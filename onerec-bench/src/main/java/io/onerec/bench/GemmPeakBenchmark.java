package io.onerec.bench;

import io.onerec.core.vector.KernelProvider;
import io.onerec.core.vector.Kernels;
import io.onerec.core.vector.PackedMatrix;
import org.openjdk.jmh.annotations.*;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * A large GEMM ([1024 x 1024] x [1024 x 1024]^T) with the generator's kernels, to put the generator's GFLOP/s next to
 * what the kernel reaches on big, cache-friendly shapes. {@code threads = 2} splits rows over two threads (the 2-core
 * peak). Score = GEMMs per second; GFLOP/s = score x 2.147.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class GemmPeakBenchmark {
    static final int N = 1024;

    @Param({"panama", "scalar"})
    public String kernels;
    @Param({"1", "2"})
    public int threads;

    private Kernels k;
    private PackedMatrix w;
    private float[] x, y;
    private java.util.concurrent.ExecutorService pool;

    @Setup
    public void setup() {
        k = kernels.equals("panama") ? KernelProvider.panama() : KernelProvider.scalar();
        Random r = new Random(1);
        float[] m = new float[N * N];
        for (int i = 0; i < m.length; i++) m[i] = (float) r.nextGaussian();
        w = k.pack(m, N, N);
        x = new float[N * N];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian();
        y = new float[N * N];
        pool = java.util.concurrent.Executors.newFixedThreadPool(threads);
    }

    @TearDown
    public void tearDown() {
        pool.shutdownNow();
    }

    @Benchmark
    public float[] gemm() throws Exception {
        int per = N / threads;
        java.util.List<java.util.concurrent.Future<?>> fs = new java.util.ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int from = t * per;
            fs.add(pool.submit(() -> k.matmul(x, from * N, per, w, y, from * N, false)));
        }
        for (var f : fs) f.get();
        return y;
    }
}

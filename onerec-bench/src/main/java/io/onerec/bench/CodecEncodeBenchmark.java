package io.onerec.bench;

import io.onerec.core.vector.KernelProvider;
import io.onerec.api.ItemEmbeddings;
import io.onerec.api.SemanticId;
import io.onerec.core.codec.ResidualCodec;
import io.onerec.core.codec.ResidualCodecFitter;
import io.onerec.core.codec.ResidualCodecFitter.Config;
import io.onerec.core.codec.ResidualCodecFitter.Method;
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

import java.util.concurrent.TimeUnit;

/**
 * Encoding one embedding (the serving path: L nearest-centroid searches over the residuals) with a fitted 3 x K
 * codec. The codec uses the kernel chosen at startup; {@code kernel=scalar} sets {@code -Donerec.cpu.scalar} in the
 * forked JVM before the codec classes load, which gives the scalar reference for the ratio.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class CodecEncodeBenchmark {
    @Param({"20000"})
    public int n;
    @Param({"128"})
    public int dim;
    @Param({"256"})
    public int k;
    @Param({"panama", "scalar"})
    public String kernel;

    private ResidualCodec codec;
    private float[][] queries;
    private int next;

    @Setup(Level.Trial)
    public void setup() {
        if (kernel.equals("scalar")) System.setProperty("onerec.cpu.scalar", "true");
        if (!KernelProvider.distanceKernel().name().startsWith(kernel)) {
            throw new IllegalStateException("wanted kernel " + kernel + " but the JVM chose " + KernelProvider.distanceKernel().name());
        }
        ItemEmbeddings data = SyntheticEmbeddings.mixture(n, dim, Math.max(16, k / 4), 7);
        codec = new ResidualCodecFitter(Config.of(3, k, Method.KMEANS).withMaxIterations(5).withThreads(2)).fit(data).codec();
        queries = new float[1024][];
        for (int i = 0; i < queries.length; i++) queries[i] = data.row((int) ((long) i * n / queries.length));
    }

    @Benchmark
    public SemanticId encode() {
        next = (next + 1) & 1023;
        return codec.encode(queries[next]);
    }
}

package io.onerec.bench;

import io.onerec.core.vector.KernelProvider;
import io.onerec.api.ItemEmbeddings;
import io.onerec.api.ProgressListener;
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
 * Fitting a 3-level codec on synthetic L2-normalised mixture data, 2 threads.
 * {@code kernel=scalar} gives the reference for the Panama ratio.
 *
 * <p>The OneRec-scale target (1,000,000 x 256, 3 x 8192 balanced, converged: below 1% of the assignments changing;
 * goal: under 10 minutes on 2 cores) is not run by default because one fit takes minutes; run it with
 * <pre>java -jar onerec-bench/target/benchmarks.jar CodecFitBenchmark.fit -p n=1000000 -p dim=256 -p k=8192 -p method=BALANCED -p maxIterations=50 -p candidateClusters=32 -p convergence=0.01 -wi 0 -i 1 -jvmArgsAppend -Xmx12g</pre>
 * or outside JMH with {@link CodecFitTarget} (which logs every iteration's time and change rate).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx6g"})
public class CodecFitBenchmark {
    @Param({"20000"})
    public int n;
    @Param({"128"})
    public int dim;
    @Param({"256"})
    public int k;
    @Param({"BALANCED", "KMEANS"})
    public Method method;
    @Param({"10"})
    public int maxIterations;
    @Param({"panama"})
    public String kernel;
    /** Balanced only: 0 = Algorithm 1 every iteration; m > 0 = the pruned auction after the first (see {@link Config}). */
    @Param({"0"})
    public int candidateClusters;
    /** Stop a level below this fraction of changed assignments (0 = only when none changes). */
    @Param({"0"})
    public double convergence;

    private ItemEmbeddings data;

    @Setup(Level.Trial)
    public void setup() {
        data = SyntheticEmbeddings.mixture(n, dim, Math.max(16, k / 4), 7);
    }

    private ResidualCodecFitter fitter() {
        Config c = Config.of(3, k, method).withMaxIterations(maxIterations).withThreads(2)
                .withCandidateClusters(candidateClusters).withConvergence(convergence);
        return new ResidualCodecFitter(c, kernel.equals("scalar") ? KernelProvider.scalarDistanceKernel() : KernelProvider.panamaDistanceKernel(),
                ProgressListener.NONE);
    }

    @Benchmark
    public ResidualCodec fit() {
        return fitter().fit(data).codec();
    }
}

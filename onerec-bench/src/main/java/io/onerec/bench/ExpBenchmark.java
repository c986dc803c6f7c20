package io.onerec.bench;

import io.onerec.core.vector.PanamaMath;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.*;

import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * What the JIT-stable exponential of the pure-Java log-softmax costs: the sum of e^(x - max) over rows of one code
 * level's logits (K = 256, the Beauty codebook), with {@link PanamaMath#exp} (plain lane arithmetic, the same bits in
 * every JIT tier) against the Vector API's {@code lanewise(EXP)} (the reference: an intrinsic whose bits change as the
 * JIT warms up). Per beam row, a decoder step also runs the LM head's GEMM of d x K multiply-adds, so compare the
 * difference per row with that.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp onerec-bench/target/classes:$(cat /tmp/cpb.txt) org.openjdk.jmh.Main ExpBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class ExpBenchmark {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int K = 256;
    static final int ROWS = 1024;

    /** polynomial = PanamaMath.exp (the library's); lanewise = lanewise(EXP) (the reference). */
    @Param({"polynomial", "lanewise"})
    public String exp;

    private float[] logits;

    @Setup
    public void setup() {
        Random r = new Random(1);
        logits = new float[ROWS * K];
        for (int i = 0; i < logits.length; i++) logits[i] = (float) (r.nextGaussian() * 3);
    }

    /** Sum of the rows' softmax normalisers, for {@value #ROWS} rows of {@value #K} logits. */
    @Benchmark
    public double normalisers() {
        boolean poly = exp.equals("polynomial");
        double total = 0;
        for (int row = 0; row < ROWS; row++) {
            int off = row * K;
            FloatVector mx = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (int i = 0; i < K; i += S.length()) mx = mx.max(FloatVector.fromArray(S, logits, off + i));
            FloatVector mv = FloatVector.broadcast(S, mx.reduceLanes(VectorOperators.MAX));
            FloatVector sum = FloatVector.zero(S);
            for (int i = 0; i < K; i += S.length()) {
                FloatVector x = FloatVector.fromArray(S, logits, off + i).sub(mv);
                sum = sum.add(poly ? PanamaMath.exp(x) : x.lanewise(VectorOperators.EXP));
            }
            total += sum.reduceLanes(VectorOperators.ADD);
        }
        return total;
    }
}

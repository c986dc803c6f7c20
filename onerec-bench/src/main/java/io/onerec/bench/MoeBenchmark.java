package io.onerec.bench;

import io.onerec.api.generator.GeneratorConfig;
import io.onerec.libtorch.Torch;
import io.onerec.libtorch.generator.TorchGeneratorModel;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.openjdk.jmh.annotations.*;

import java.util.concurrent.TimeUnit;

/**
 * One LibTorch MoE feed-forward layer over {@link #tokens} tokens: 24 experts top-2 in the sparse form (tokens
 * gathered per expert), the same layer in the old dense form (every expert on every token, the gates zeroing the
 * rest), and a plain FFN of the same active size (d_ff = top-k x the expert's d_ff). Sparse / dense-active near 1
 * means the MoE costs what its active parameters cost; dense-all / sparse is what the sparse form saves.
 * {@code pass=inference} runs the forward pass under no-grad, {@code pass=training} forward + backward.
 *
 * <pre>
 * mvn -o -q -pl onerec-bench -am compile dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * OMP_WAIT_POLICY=PASSIVE java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *     -cp onerec-bench/target/classes:$(cat /tmp/cp.txt) org.openjdk.jmh.Main MoeBenchmark
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MoeBenchmark {
    static final int D = 128;
    static final int EXPERT_FF = 512;
    static final int EXPERTS = 24;
    static final int TOP_K = 2;
    private static final String MOE = "decoder.layers.0.moe.";

    /** sparse = 24 experts top-2 gathered per expert; dense-all = the same layer, every expert on every token; dense-active = one FFN of d_ff 2 x 512. */
    @Param({"sparse", "dense-active", "dense-all"})
    public String form;
    @Param({"inference", "training"})
    public String pass;
    /** Tokens per call, e.g. 16 users x beam 128 decoder slots. */
    @Param({"2048"})
    public int tokens;

    private TorchGeneratorModel model;
    private Tensor input;
    private Tensor wi;
    private Tensor wo;

    @Setup
    public void setup() {
        Torch.load();
        int[] codebooks = {256, 256, 256};
        GeneratorConfig moe = new GeneratorConfig(D, 4, EXPERT_FF, 1, 1, EXPERTS, TOP_K, 20, codebooks, 0, 1, 1e-6);
        TorchGeneratorModel sparse = TorchGeneratorModel.initialize(moe, 1);
        model = form.equals("dense-all") ? sparse.withDenseMoeReference() : sparse;
        Torch.seed(2);
        input = Torch.randn(tokens, D).requires_grad_(pass.equals("training"));
        wi = Torch.randn(TOP_K * EXPERT_FF, D).mul(Torch.scalar(0.02)).requires_grad_(true);
        wo = Torch.randn(D, TOP_K * EXPERT_FF).mul(Torch.scalar(0.02)).requires_grad_(true);
    }

    @Benchmark
    public float layer() {
        try (PointerScope scope = new PointerScope()) {
            if (pass.equals("inference")) {
                try (NoGradGuard g = new NoGradGuard()) {
                    return Torch.toFloats(forward().sum())[0];
                }
            }
            Tensor loss = forward().sum();
            loss.backward();
            return Torch.toFloats(loss)[0];
        }
    }

    private Tensor forward() {
        if (form.equals("dense-active")) return input.matmul(wi.t()).relu().matmul(wo.t());
        return model.moe(input, MOE, new Tensor[1], 0);
    }
}

package io.onerec.bench;

import io.onerec.api.DecodingOptions;
import io.onerec.api.Generator;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.UserHistory;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.cpu.generator.CpuGenerator;
import io.onerec.core.vector.KernelProvider;
import io.onerec.libtorch.Torch;
import io.onerec.libtorch.generator.TorchGenerator;
import io.onerec.libtorch.generator.TorchGeneratorModel;
import org.openjdk.jmh.annotations.*;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The beam-search hot path (encode, KV-cached decode, constrained search) of one model on each backend, over a
 * TIGER-like 3 x 256 (+ disambiguation) codec of 12,101 items. Score = users per second ({@value #USERS} users per
 * operation, decoded as one batch). GFLOP/s = score x {@link BenchModels#flopsPerUser}, logged at setup (with the
 * sparse head's estimated logits per beam when {@code softmax=trie}).
 *
 * <p>Run LibTorch with {@code OMP_WAIT_POLICY=PASSIVE} in the environment (as surefire does): with spinning OpenMP
 * workers it was 3x slower on a shared 2-core machine. Example (no shaded jar needed):
 * <pre>
 * mvn -o -q -pl onerec-bench -am test-compile org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
 *     -Dmdep.outputFile=/tmp/cp.txt
 * OMP_WAIT_POLICY=PASSIVE java --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED \
 *     -cp onerec-bench/target/classes:$(cat /tmp/cp.txt) org.openjdk.jmh.Main GeneratorBenchmark \
 *     -p backend=cpu,libtorch -p model=d128,d512 -p beam=10,32,128 -f 1 -wi 2 -i 3
 * </pre>
 * On a machine other processes are loading, {@link GeneratorProfile} measures work per CPU-second instead
 * (docs/libtorch-performance.md).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class GeneratorBenchmark {
    static final int USERS = 16;
    static final int HISTORY = 20;

    /**
     * cpu = Vector API kernels, cpu-scalar = the scalar fallback, libtorch = the LibTorch backend, libtorch-bf16 = the
     * same with bfloat16 matrix products (autocast).
     */
    @Param({"cpu", "libtorch"})
    public String backend;
    /**
     * d128 = TIGER-sized (d=128, 4+4 layers), d512 = d=512, d_ff=2048, 4+4 layers; a "+items" suffix (e.g. d128+items)
     * adds item-ID embeddings for every item, which the item head ({@code fusion=item-head}) needs.
     */
    @Param({"d128"})
    public String model;
    /** Defaults are cheap; add 128 (and -p model=d512) for the full table. */
    @Param({"10", "32"})
    public int beam;
    /**
     * beauty = 3 x 256 codes over 12,101 items; onerec = OneRec's production shape, 3 x 8,192 codes over 1,000,000
     * items (random codes, + disambiguation), e.g. with {@code -p model=d128-moe24 -p beam=128}.
     */
    @Param({"beauty"})
    public String catalog;
    /**
     * The head normalisation: codebook = softmax over the level's K codes (all K logits per beam); trie = over the
     * codes the trie allows after the beam's prefix, computed by the sparse head (docs/generator-model.md). Compare
     * them at OneRec scale with {@code -p catalog=onerec -p model=d128-moe24 -p beam=128 -p softmax=codebook,trie}.
     */
    @Param({"codebook"})
    public String softmax;
    /**
     * none = the generator alone; item-head = its own item head fused into the search ({@code ItemHead.fusion(2, 0.02)}),
     * the cost of serving the item head; needs a "+items" model. Compare with
     * {@code -p model=d128+items -p fusion=none,item-head}.
     */
    @Param({"none"})
    public String fusion;
    /** Threads of the CPU backend (LibTorch uses its own intra-op threads); 0 = one per core. */
    @Param({"0"})
    public int threads;

    private Generator generator;
    private List<UserHistory> users;
    private DecodingOptions gen;

    @Setup
    public void setup() {
        SemanticIdCodec codec = BenchModels.catalog(catalog, 1);
        boolean items = model.endsWith("+items");
        GeneratorConfig config = BenchModels.config(items ? model.substring(0, model.length() - "+items".length()) : model,
                codec.codebookSizes());
        if (items) config = config.withItemVocab(codec.itemCount());
        Path dir = BenchModels.checkpoint(config, 2);
        int threads = this.threads > 0 ? this.threads : Runtime.getRuntime().availableProcessors();
        generator = switch (backend) {
            case "cpu" -> CpuGenerator.load(dir, codec, KernelProvider.get(), threads);
            case "cpu-scalar" -> CpuGenerator.load(dir, codec, KernelProvider.scalar(), threads);
            case "libtorch" -> new TorchGenerator(TorchGeneratorModel.load(dir), () -> codec, Torch.Precision.FP32);
            case "libtorch-bf16" -> new TorchGenerator(TorchGeneratorModel.load(dir), () -> codec, Torch.Precision.BF16);
            default -> throw new IllegalArgumentException(backend);
        };
        users = BenchModels.users(USERS, HISTORY, codec.itemCount(), 3);
        gen = DecodingOptions.beams(beam).withCodeSoftmax(switch (softmax) {
            case "codebook" -> DecodingOptions.CodeSoftmax.CODEBOOK;
            case "trie" -> DecodingOptions.CodeSoftmax.TRIE;
            default -> throw new IllegalArgumentException("unknown softmax " + softmax + " (codebook or trie)");
        });
        gen = switch (fusion) {
            case "none" -> gen;
            case "item-head" -> {
                if (!items) throw new IllegalArgumentException("fusion=item-head needs a model with item-ID embeddings (model=...+items)");
                yield gen.withFusion(io.onerec.api.generator.ItemHead.fusion(2.0, 0.02));
            }
            default -> throw new IllegalArgumentException("unknown fusion " + fusion + " (none or item-head)");
        };
        double[] headCodes = BenchModels.headCodesPerBeam(config, codec.trie(), softmax);
        // The item head adds one d-wide dot product per item-ID row and user.
        double itemHeadFlops = fusion.equals("item-head") ? 2.0 * config.dModel() * config.itemVocab() : 0;
        System.out.printf("# %s %s %s beam %d, %s softmax, fusion %s: %.1f MFLOP per user (codebooks %s, head logits per beam and level %s)%n",
                backend, catalog, model, beam, softmax, fusion, (BenchModels.flopsPerUser(config, beam, HISTORY, headCodes) + itemHeadFlops) / 1e6,
                java.util.Arrays.toString(codec.codebookSizes()), java.util.Arrays.toString(
                        java.util.Arrays.stream(headCodes).mapToObj(v -> String.format("%.1f", v)).toArray()));
    }

    @TearDown
    public void tearDown() {
        generator.close();
    }

    @Benchmark
    @OperationsPerInvocation(USERS)
    public void generate(Blackhole bh) {
        bh.consume(generator.generateBatch(users, gen));
    }
}

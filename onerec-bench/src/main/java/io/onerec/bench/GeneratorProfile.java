package io.onerec.bench;

import io.onerec.api.DecodingOptions;
import io.onerec.api.Generator;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.UserHistory;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.core.vector.KernelProvider;
import io.onerec.cpu.generator.CpuGenerator;
import io.onerec.libtorch.Torch;
import io.onerec.libtorch.generator.DecodeProfile;
import io.onerec.libtorch.generator.TorchGenerator;

import java.nio.file.Path;
import java.util.List;

/**
 * Work per search, measured where the cores are shared: the {@link GeneratorBenchmark} workload (same model, codec
 * and users) on one thread, timed by the thread's CPU time rather than the wall clock, so another process's load
 * changes how long a run takes but not what it reports. Prints users per CPU-second of each backend and, for
 * LibTorch, the CPU time per phase ({@link DecodeProfile}). Arguments: {@code model beam calls backend...}, e.g.
 * {@code d512 128 3 cpu libtorch}. Run with {@code -Donerec.torch.profile=true -Donerec.torch.threads=1} and
 * {@code OMP_WAIT_POLICY=PASSIVE}. Not a JMH benchmark (one warm-up call, then the mean of {@code calls}); on an
 * idle machine GeneratorBenchmark is the reference. {@code -Donerec.bench.catalog=onerec} profiles the OneRec-scale
 * catalog (default beauty) and {@code -Donerec.bench.softmax=trie} the sparse head (default codebook), as the
 * benchmark's {@code catalog} and {@code softmax} params do.
 */
public final class GeneratorProfile {
    private GeneratorProfile() {
    }

    public static void main(String[] args) {
        if (!DecodeProfile.enabled()) throw new IllegalStateException("run with -D" + DecodeProfile.PROPERTY + "=true");
        String model = args.length > 0 ? args[0] : "d512";
        int beam = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        int calls = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        List<String> backends = args.length > 3 ? List.of(args).subList(3, args.length) : List.of("cpu", "libtorch");
        String catalog = System.getProperty("onerec.bench.catalog", "beauty");
        String softmax = System.getProperty("onerec.bench.softmax", "codebook");
        SemanticIdCodec codec = BenchModels.catalog(catalog, 1);
        GeneratorConfig config = BenchModels.config(model, codec.codebookSizes());
        Path dir = BenchModels.checkpoint(config, 2);
        List<UserHistory> users = BenchModels.users(GeneratorBenchmark.USERS, GeneratorBenchmark.HISTORY, codec.itemCount(), 3);
        DecodingOptions options = DecodingOptions.beams(beam).withCodeSoftmax(switch (softmax) {
            case "codebook" -> DecodingOptions.CodeSoftmax.CODEBOOK;
            case "trie" -> DecodingOptions.CodeSoftmax.TRIE;
            default -> throw new IllegalArgumentException("onerec.bench.softmax must be codebook or trie, got " + softmax);
        });
        double flops = BenchModels.flopsPerUser(config, beam, GeneratorBenchmark.HISTORY,
                BenchModels.headCodesPerBeam(config, codec.trie(), softmax)) * users.size();
        for (String backend : backends) {
            try (Generator g = switch (backend) {
                case "cpu" -> CpuGenerator.load(dir, codec, KernelProvider.get(), 1);
                case "libtorch" -> TorchGenerator.load(dir, codec);
                default -> throw new IllegalArgumentException("backend must be cpu or libtorch, got " + backend);
            }) {
                if (backend.equals("libtorch") && org.bytedeco.pytorch.global.torch.get_num_threads() != 1) {
                    throw new IllegalStateException("run with -D" + Torch.THREADS_PROPERTY + "=1: thread CPU time sees only the calling thread");
                }
                g.generateBatch(users, options);
                DecodeProfile.reset();
                long cpu0 = DecodeProfile.threadCpuNanos(), wall0 = System.nanoTime();
                for (int i = 0; i < calls; i++) g.generateBatch(users, options);
                double cpu = (DecodeProfile.threadCpuNanos() - cpu0) / 1e9, wall = (System.nanoTime() - wall0) / 1e9;
                System.out.printf("%s %s %s beam %d %s softmax, 1 thread: %.2f users per CPU-second, %.1f useful GFLOP per CPU-second"
                                + " (wall %.1f s for %.1f CPU s)%n", backend, catalog, model, beam, softmax, users.size() * calls / cpu,
                        flops * calls / cpu / 1e9, wall, cpu);
                if (backend.equals("libtorch")) System.out.println("  " + DecodeProfile.summary());
            }
        }
    }
}

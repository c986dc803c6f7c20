package io.onerec.bench;

import io.onerec.api.DecodingOptions;
import io.onerec.api.Generator;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.UserHistory;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.libtorch.generator.DecodeProfile;
import io.onerec.libtorch.generator.TorchGenerator;

import java.nio.file.Path;
import java.util.List;

/**
 * Where the LibTorch generator's time goes: the {@link GeneratorBenchmark} workload (same model, codec and users)
 * run with {@link DecodeProfile} on, printing milliseconds per phase of one {@code generateBatch} of
 * {@value GeneratorBenchmark#USERS} users. Arguments: {@code model beam [calls]}, e.g. {@code d512 128 5}. Needs
 * {@code -Donerec.torch.profile=true}; not a benchmark (one warm-up call, then plain wall time).
 */
public final class GeneratorProfile {
    private GeneratorProfile() {
    }

    public static void main(String[] args) {
        if (!DecodeProfile.enabled()) throw new IllegalStateException("run with -D" + DecodeProfile.PROPERTY + "=true");
        String model = args.length > 0 ? args[0] : "d512";
        int beam = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        int calls = args.length > 2 ? Integer.parseInt(args[2]) : 5;
        SemanticIdCodec codec = BenchModels.codec(1);
        GeneratorConfig config = BenchModels.config(model, codec.codebookSizes());
        Path dir = BenchModels.checkpoint(config, 2);
        List<UserHistory> users = BenchModels.users(GeneratorBenchmark.USERS, GeneratorBenchmark.HISTORY, 3);
        DecodingOptions options = DecodingOptions.beams(beam);
        try (Generator g = TorchGenerator.load(dir, codec)) {
            g.generateBatch(users, options);
            DecodeProfile.reset();
            long t0 = System.nanoTime();
            for (int i = 0; i < calls; i++) g.generateBatch(users, options);
            double seconds = (System.nanoTime() - t0) / 1e9;
            double gflops = BenchModels.flopsPerUser(config, beam, GeneratorBenchmark.HISTORY) * users.size() * calls / seconds / 1e9;
            System.out.printf("libtorch %s beam %d: %.1f users/s, %.1f useful GFLOP/s; %s%n", model, beam,
                    users.size() * calls / seconds, gflops, DecodeProfile.summary());
        }
    }
}

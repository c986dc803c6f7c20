package io.onerec.bench;

import io.onerec.api.GeneratedSession;
import io.onerec.api.DecodingOptions;
import io.onerec.api.Generator;
import io.onerec.api.ItemEmbeddings;
import io.onerec.api.SemanticId;
import io.onerec.api.UserHistory;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.api.spi.Backends;
import io.onerec.core.codec.ResidualCodec;
import io.onerec.core.codec.ResidualCodecFitter;
import io.onerec.libtorch.generator.TorchGeneratorModel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Online latency of Think-Ahead: one user's next-item beam search, unrestricted ({@code restricted=false}, the
 * reference) versus decoding only under a cached set of (c1, c2) prefixes ({@code restricted=true}, 8 prefixes, as
 * T x m = 2 x 4 offline reasoning paths would leave), on the LibTorch and the pure-Java generator (same checkpoint). Beauty-sized
 * catalogue (12,101 items, 3 x 256 codes + disambiguation) and the generator shape of ThinkAheadExample; weights
 * are random, which does not change the amount of work per step.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx4g"})
public class ThinkAheadBenchmark {
    @Param({"libtorch", "cpu"})
    public String backend;
    @Param({"false", "true"})
    public boolean restricted;
    @Param({"20"})
    public int beam;
    @Param({"8"})
    public int prefixes;

    private Generator generator;
    private final List<UserHistory> users = new ArrayList<>();
    private final List<DecodingOptions> configs = new ArrayList<>();
    /** Each user's prefixes as a per-user filter, for the batched path ({@code Generator.generateBatch(users, options, filters)}). */
    private final List<io.onerec.api.ItemFilter> filters = new ArrayList<>();
    private int next;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        ItemEmbeddings data = SyntheticEmbeddings.mixture(12101, 64, 64, 7);
        ResidualCodec codec = new ResidualCodecFitter(ResidualCodecFitter.Config.of(3, 256, ResidualCodecFitter.Method.KMEANS)
                .withMaxIterations(3).withThreads(2)).fit(data).codec();
        GeneratorConfig gc = new GeneratorConfig(64, 4, 256, 2, 2, 0, 0, 20, codec.codebookSizes(), 0, 1, 1e-6);
        Path dir = Files.createTempDirectory("think-ahead-bench");
        TorchGeneratorModel.initialize(gc, 42).save(dir);
        generator = Backends.get(backend).loadGenerator(dir, codec);
        List<SemanticId> valid = new ArrayList<>(codec.validPrefixes(2));
        Random r = new Random(3);
        for (int u = 0; u < 64; u++) {
            int[] h = new int[20];
            for (int i = 0; i < h.length; i++) h[i] = r.nextInt(codec.itemCount());
            users.add(new UserHistory(u, h));
            Collections.shuffle(valid, r);
            Set<SemanticId> set = new LinkedHashSet<>(valid.subList(0, prefixes));
            configs.add(restricted ? DecodingOptions.beams(beam).withAllowedPrefixes(set) : DecodingOptions.beams(beam));
            filters.add(restricted ? io.onerec.api.ItemFilter.allowedPrefixes(set) : io.onerec.api.ItemFilter.none());
        }
    }

    @Benchmark
    public List<GeneratedSession> generateOneUser() {
        next = (next + 1) & 63;
        return generator.generate(users.get(next), configs.get(next));
    }

    /** All 64 users, one call each (what ThinkAheadGenerator did before it batched); time per operation / 64 = per user. */
    @Benchmark
    @OperationsPerInvocation(64)
    public int sixtyFourUsersOneAtATime() {
        int n = 0;
        for (int u = 0; u < 64; u++) n += generator.generate(users.get(u), configs.get(u)).size();
        return n;
    }

    /** The same 64 users in one batched search, each with its own prefixes as a per-user filter. */
    @Benchmark
    @OperationsPerInvocation(64)
    public int sixtyFourUsersBatched() {
        int n = 0;
        for (List<GeneratedSession> s : generator.generateBatch(users, DecodingOptions.beams(beam), filters)) n += s.size();
        return n;
    }
}

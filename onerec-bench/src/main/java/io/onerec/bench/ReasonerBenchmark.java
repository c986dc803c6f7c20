package io.onerec.bench;

import io.onerec.api.ReasoningOptions;
import io.onerec.api.Reasoner;
import io.onerec.api.ReasoningPath;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.UserHistory;
import io.onerec.api.ItemMetadata;
import io.onerec.api.reasoner.QwenConfig;
import io.onerec.api.reasoner.ReasonerTexts;
import io.onerec.api.reasoner.SidReasoner;
import io.onerec.api.reasoner.SidVocabulary;
import io.onerec.api.reasoner.WordTokenizer;
import io.onerec.api.spi.Backends;
import io.onerec.libtorch.reasoner.TorchQwenModel;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Offline Think-Ahead cost per user: {@code reason(user, T=2, m=8, prefix length 2)} (two sampled rationales of
 * up to 24 tokens, then a width-8 trie-constrained beam over two SID codes after each) on the LibTorch backend
 * (the reference) and the pure-Java backend, both with their key/value caches, serving the same checkpoint.
 * Reasoner shape of ThinkAheadExample's run (Qwen3-style, d=128, 2 layers, 4 heads / 2 key-value heads) over a
 * Beauty-sized catalogue; weights are random, so every rationale runs to the token cap and both backends do the
 * same work.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Xmx4g"})
public class ReasonerBenchmark {
    @Param({"libtorch", "cpu"})
    public String backend;

    private Reasoner reasoner;
    private List<UserHistory> users;
    private int next;

    @Setup(Level.Trial)
    public void setup() throws Exception {
        SemanticIdCodec codec = BenchModels.codec(5);
        Random r = new Random(9);
        String[] words = new String[3000];
        for (int i = 0; i < words.length; i++) words[i] = "w" + i;
        String[] titles = new String[codec.itemCount()];
        for (int i = 0; i < titles.length; i++) titles[i] = words[r.nextInt(3000)] + " " + words[r.nextInt(3000)] + " " + words[r.nextInt(3000)];
        ItemMetadata meta = new ItemMetadata(titles, new int[titles.length][], null);
        ReasonerTexts texts = new ReasonerTexts(codec, meta, 5, 3);
        List<String> corpus = new ArrayList<>(List.of(titles));
        corpus.add("history : next ; user likes keywords so");
        SidVocabulary vocab = SidVocabulary.extend(WordTokenizer.build(corpus, 1, 6000), codec.codebookSizes());
        TorchQwenModel model = TorchQwenModel.initialize(QwenConfig.tiny(vocab.tokenizer().vocabSize(), 128, 2, 4, 2), 7);
        Path dir = Files.createTempDirectory("reasoner-bench");
        new SidReasoner(model, vocab, texts, new SidReasoner.Options(1.0, 24)).save(dir);
        reasoner = Backends.get(backend).loadReasoner(dir, codec);
        users = BenchModels.users(64, 20, 11);
    }

    @Benchmark
    public List<ReasoningPath> reasonOneUser() {
        next = (next + 1) & 63;
        return reasoner.reason(users.get(next), new ReasoningOptions(2, 8, 2, next));
    }

    @TearDown(Level.Trial)
    public void close() {
        reasoner.close();
    }
}

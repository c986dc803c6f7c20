package io.onerec.examples;

import io.onerec.api.ReasoningOptions;
import io.onerec.api.ScoredItem;
import io.onerec.api.Generator;
import io.onerec.api.ProgressListener;
import io.onerec.api.Reasoner;
import io.onerec.api.SemanticId;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.UserHistory;
import io.onerec.tools.data.Datasets;
import io.onerec.tools.data.InteractionSequences;
import io.onerec.api.ItemMetadata;
import io.onerec.tools.data.LeaveOneOutSplit;
import io.onerec.tools.data.NextItemExample;
import io.onerec.tools.eval.EvaluationResult;
import io.onerec.tools.eval.Evaluator;
import io.onerec.api.reasoner.QwenConfig;
import io.onerec.api.reasoner.ReasonerTexts;
import io.onerec.api.reasoner.SidReasoner;
import io.onerec.api.reasoner.SidVocabulary;
import io.onerec.api.reasoner.TokenExample;
import io.onerec.api.reasoner.WordTokenizer;
import io.onerec.api.spi.Backend;
import io.onerec.api.spi.Backends;
import io.onerec.api.thinkahead.FilePrefixStore;
import io.onerec.api.thinkahead.ThinkAheadGenerator;
import io.onerec.api.thinkahead.ThinkAheadJob;
import io.onerec.core.codec.ResidualCodec;
import io.onerec.libtorch.reasoner.TorchQwenModel;
import io.onerec.libtorch.reasoner.ReasonerTrainer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Amazon Beauty with OneRec-Think's Think-Ahead: trains (or reloads) a codec and a generator, trains a small
 * Qwen-style reasoner through the three stages (itemic alignment, reasoning activation, GRPO) on LibTorch, then
 * serves all three through the backend SPI (pure Java by default) and compares on the test split: the generator
 * alone, the reasoner alone, and Think-Ahead (reasoner prefixes cached offline, generator decoding only under them
 * online). Small budgets: a 2-core demonstration, not the paper's 1.7B model.
 *
 * <p>Flags: {@code --out DIR} (reuses DIR/codec, DIR/generator and DIR/reasoner when present, e.g. the checkpoints
 * of a {@code BeautyEndToEnd --out DIR} run), {@code --generator-minutes N}, {@code --reasoner-minutes N} (split
 * 50/30/20 over the three stages), {@code --reasoner-hidden N}, {@code --eval-users N} (a seeded random sample of test users), {@code --train-examples N}
 * (0 = all), {@code --paths T}, {@code --prefixes m}, {@code --backend cpu|libtorch} (serving backend).
 */
public final class ThinkAheadExample {
    private static final Logger LOG = LoggerFactory.getLogger(ThinkAheadExample.class);
    /** One display for the program's stages (codec, generator, reasoner, Think-Ahead), so each keeps its last line. */
    private static final ProgressBar PROGRESS = ProgressBar.forConsole();

    record Options(Path out, double generatorMinutes, double reasonerMinutes, int reasonerHidden, int evalUsers, int trainExamples,
                   int paths, int prefixes, String backend) {
        static Options parse(String[] args) {
            Path out = Path.of("runs/think-ahead");
            double gen = 4, rea = 8;
            int hidden = 64, eval = 300, train = 6000, paths = 2, prefixes = 8;
            String backend = "cpu";
            FlagReader f = new FlagReader(args);
            while (f.next()) {
                switch (f.flag()) {
                    case "--out" -> out = f.path();
                    case "--generator-minutes" -> gen = f.positive();
                    case "--reasoner-minutes" -> rea = f.positive();
                    case "--reasoner-hidden" -> hidden = f.count(1);
                    case "--eval-users" -> eval = f.count(1);
                    case "--train-examples" -> train = f.count(1);
                    case "--paths" -> paths = f.count(1);
                    case "--prefixes" -> prefixes = f.count(1);
                    case "--backend" -> backend = f.text();
                    default -> throw f.unknown("--out DIR --generator-minutes N --reasoner-minutes N --reasoner-hidden N"
                            + " --eval-users N --train-examples N --paths T --prefixes m --backend cpu|libtorch");
                }
            }
            return new Options(out, gen, rea, hidden, eval, train, paths, prefixes, backend);
        }
    }

    public static void main(String[] args) throws Exception {
        Options opt = Options.parse(args);
        Path data = Datasets.dataDir();
        InteractionSequences seqs = Datasets.beauty(data);
        ItemMetadata meta = Datasets.beautyMetadata(data, seqs);
        LeaveOneOutSplit split = LeaveOneOutSplit.of(seqs, 20);
        ResidualCodec trainingCodec = codec(opt, seqs, meta, split);
        trainGenerator(opt, trainingCodec, split, seqs.itemCount());
        trainReasoner(opt, trainingCodec, meta, split);

        // Serve what was trained through the SPI, as a service would.
        Backend backend = Backends.get(opt.backend());
        SemanticIdCodec codec = backend.loadCodec(opt.out().resolve("codec"));
        Generator generator = backend.loadGenerator(opt.out().resolve("generator"), codec);
        Reasoner reasoner = backend.loadReasoner(opt.out().resolve("reasoner"), codec);

        // A seeded random sample of test users: the first users of the file are harder than average (README).
        List<NextItemExample> test = new ArrayList<>(split.test());
        Collections.shuffle(test, new Random(20261123));
        test = test.subList(0, Math.min(opt.evalUsers(), test.size()));
        List<UserHistory> users = test.stream().map(NextItemExample::history).toList();
        Evaluator evaluator = new Evaluator(Evaluator.DEFAULT_KS, 64, ProgressListener.NONE);

        long t0 = System.nanoTime();
        EvaluationResult genAlone = evaluator.evaluate("test", test, seqs.itemCount(), BeautyEndToEnd.recommender(generator, 20));
        double genSeconds = (System.nanoTime() - t0) / 1e9;

        t0 = System.nanoTime();
        EvaluationResult reasonerAlone = evaluator.evaluate("test", test, seqs.itemCount(), (histories, k) -> {
            List<int[]> out = new ArrayList<>();
            for (UserHistory h : histories) out.add(reasoner.recommend(h, new ReasoningOptions(opt.paths(), 20, 2, h.userId()), k).stream().mapToInt(ScoredItem::item).toArray());
            return out;
        });
        double reasonerSeconds = (System.nanoTime() - t0) / 1e9;

        // Think-Ahead: the offline job caches prefix sets, the online generator decodes under them.
        t0 = System.nanoTime();
        Path storeFile = opt.out().resolve("think-ahead-prefixes.tsv");
        Files.deleteIfExists(storeFile);
        FilePrefixStore store = FilePrefixStore.open(storeFile);
        double meanSet = new ThinkAheadJob(reasoner, new ReasoningOptions(opt.paths(), opt.prefixes(), 2, 1)).run(users, store, PROGRESS);
        double offlineSeconds = (System.nanoTime() - t0) / 1e9;
        int covered = 0;
        for (NextItemExample e : test) {
            Set<SemanticId> set = store.get(e.history().userId()).orElseThrow();
            if (set.contains(codec.sidOf(e.target()).prefix(2))) covered++;
        }
        ThinkAheadGenerator online = new ThinkAheadGenerator(generator, store, ThinkAheadGenerator.Missing.FAIL);
        t0 = System.nanoTime();
        EvaluationResult thinkAhead = evaluator.evaluate("test", test, seqs.itemCount(), BeautyEndToEnd.recommender(online, 20));
        double onlineSeconds = (System.nanoTime() - t0) / 1e9;

        LOG.info("==== Amazon Beauty, leave-one-out test, {} random users, served on {} ====", test.size(), backend.name());
        row("generator alone", genAlone, String.format("beam 20, %.1f ms/user", 1000 * genSeconds / test.size()));
        row("reasoner alone", reasonerAlone, String.format("%d paths, beam 20, %.1f ms/user", opt.paths(), 1000 * reasonerSeconds / test.size()));
        row("Think-Ahead", thinkAhead, String.format("T=%d, m=%d, beam 20; online %.1f ms/user, offline %.1f ms/user", opt.paths(), opt.prefixes(),
                1000 * onlineSeconds / test.size(), 1000 * offlineSeconds / test.size()));
        LOG.info("Think-Ahead prefix sets: mean {} of {} valid (c1,c2) prefixes; the target's prefix is in the set for {}% of users",
                String.format("%.1f", meanSet), codec.validPrefixes(2).size(), String.format("%.1f", 100.0 * covered / test.size()));
        LOG.info("(per-user times are single-threaded wall clock on a shared machine; the latency comparison is JMH ThinkAheadBenchmark)");
        generator.close();
        reasoner.close();
    }

    private static void row(String name, EvaluationResult r, String extra) {
        LOG.info("{}: R@5 {}  N@5 {}  R@10 {}  N@10 {}  ({})", String.format("%-16s", name), f(r.recall(5)), f(r.ndcg(5)),
                f(r.recall(10)), f(r.ndcg(10)), extra);
    }

    private static String f(double v) {
        return String.format("%.4f", v);
    }

    /** BeautyEndToEnd's codec (3 x 256 balanced, 10 iterations), unless DIR/codec already holds one. */
    static ResidualCodec codec(Options opt, InteractionSequences seqs, ItemMetadata meta, LeaveOneOutSplit split) {
        Path dir = opt.out().resolve("codec");
        if (Files.isDirectory(dir)) return ResidualCodec.load(dir);
        ResidualCodec codec = BeautyEndToEnd.fitCodec(quickRun(opt), meta, split, seqs, PROGRESS);
        codec.save(dir);
        return codec;
    }

    /** The same small generator as BeautyEndToEnd's default run, unless DIR/generator already holds one. */
    static void trainGenerator(Options opt, ResidualCodec codec, LeaveOneOutSplit split, int itemCount) {
        Path dir = opt.out().resolve("generator");
        if (Files.isDirectory(dir)) {
            LOG.info("reusing the generator in {}", dir);
            return;
        }
        BeautyEndToEnd.trainGenerator(quickRun(opt), codec, split, itemCount, dir, PROGRESS, null, null);
    }

    /** BeautyEndToEnd's default (not --full) configuration with this run's generator budget, capped at 50 epochs. */
    private static BeautyEndToEnd.Options quickRun(Options opt) {
        return BeautyEndToEnd.Options.parse(new String[]{"--minutes", String.valueOf(opt.generatorMinutes()), "--epochs", "50",
                "--out", opt.out().toString(), "--eval-users", "0"});
    }

    /**
     * The three OneRec-Think stages on a from-scratch Qwen3-style model over a word vocabulary, unless DIR/reasoner
     * already holds a reasoner: itemic alignment (item descriptions and next-item narratives), reasoning activation
     * (narrative, hindsight rationale, next item), GRPO with the rollout-beam reward at a lower learning rate.
     */
    static void trainReasoner(Options opt, ResidualCodec codec, ItemMetadata meta, LeaveOneOutSplit split) {
        Path dir = opt.out().resolve("reasoner");
        if (Files.isDirectory(dir)) {
            LOG.info("reusing the reasoner in {}", dir);
            return;
        }
        ReasonerTexts texts = new ReasonerTexts(codec, meta, 5, 3);
        List<NextItemExample> train = new ArrayList<>(split.train());
        Collections.shuffle(train, new Random(1));
        if (opt.trainExamples() > 0) train = train.subList(0, Math.min(opt.trainExamples(), train.size()));
        List<UserHistory> users = train.stream().map(NextItemExample::history).toList();
        int[] targets = train.stream().mapToInt(NextItemExample::target).toArray();
        SidVocabulary vocab = SidVocabulary.extend(WordTokenizer.build(texts.vocabularyTexts(users, targets), 3, 6000), codec.codebookSizes());
        int hidden = opt.reasonerHidden();
        TorchQwenModel model = TorchQwenModel.initialize(QwenConfig.tiny(vocab.tokenizer().vocabSize(), hidden, 2, 4, 2), 7);
        LOG.info("reasoner: vocabulary {} ({} added item tokens), {} parameters, {} training users", vocab.tokenizer().vocabSize(),
                vocab.tokenizer().addedCount(), model.parameterCount(), users.size());
        ReasonerTrainer trainer = new ReasonerTrainer(model, vocab, new ReasonerTrainer.Config(3e-3, 0.0, 32, 1.0, 7), PROGRESS);
        long total = (long) (opt.reasonerMinutes() * 60);

        List<TokenExample> align = new ArrayList<>();
        for (int item = 0; item < codec.itemCount(); item++) align.add(texts.descriptionExample(vocab, item));
        for (int i = 0; i < users.size(); i++) align.add(texts.nextItemExample(vocab, users.get(i), targets[i]));
        LOG.info("stage 1 (itemic alignment) losses per epoch: {}", trainer.fit("reasoner/alignment", align, 50, Duration.ofSeconds(total / 2)));

        List<TokenExample> reason = new ArrayList<>();
        for (int i = 0; i < users.size(); i++) reason.add(texts.reasoningExample(vocab, users.get(i), targets[i]));
        LOG.info("stage 2 (reasoning activation) losses per epoch: {}", trainer.fit("reasoner/activation", reason, 50, Duration.ofSeconds(total * 3 / 10)));

        // RL fine-tunes what the supervised stages taught: a fresh optimiser at a tenth of the learning rate.
        ReasonerTrainer rl = new ReasonerTrainer(model, vocab, new ReasonerTrainer.Config(3e-4, 0.0, 32, 1.0, 8), PROGRESS);
        long deadline = System.nanoTime() + Duration.ofSeconds(total / 5).toNanos();
        Random rnd = new Random(3);
        ReasonerTrainer.GrpoConfig grpo = new ReasonerTrainer.GrpoConfig(4, 5, 1.0, 24);
        List<Double> rewards = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            List<int[]> prompts = new ArrayList<>();
            List<SemanticId> goals = new ArrayList<>();
            for (int j = 0; j < 8; j++) {
                int i = rnd.nextInt(users.size());
                prompts.add(vocab.tokenizer().encode(texts.prompt(users.get(i))));
                goals.add(codec.sidOf(targets[i]));
            }
            rewards.add(rl.grpoStep(prompts, goals, codec.trie(), grpo).meanReward());
            int steps = rewards.size();
            if (steps % 20 == 0) LOG.info("reasoner/grpo step {}: mean reward over the last 20 steps {}", steps,
                    String.format("%.3f", mean(rewards.subList(steps - 20, steps))));
        }
        int steps = rewards.size(), window = Math.max(1, Math.min(20, steps / 2));
        LOG.info("stage 3 (GRPO): {} steps, mean rollout-beam reward (matching SID levels, 0..{}) first {} steps {}, last {} steps {}, all {}",
                steps, codec.levels(), window, String.format("%.3f", mean(rewards.subList(0, Math.min(window, steps)))), window,
                String.format("%.3f", mean(rewards.subList(Math.max(0, steps - window), steps))), String.format("%.3f", mean(rewards)));
        new SidReasoner(model, vocab, texts, new SidReasoner.Options(1.0, 24)).save(dir);
    }

    private static double mean(List<Double> values) {
        return values.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }
}

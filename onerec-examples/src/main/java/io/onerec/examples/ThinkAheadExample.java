package io.onerec.examples;

import io.onerec.api.GenerationConfig;
import io.onerec.api.Generator;
import io.onerec.api.ItemEmbeddings;
import io.onerec.api.ProgressListener;
import io.onerec.api.SemanticId;
import io.onerec.api.UserHistory;
import io.onerec.api.data.Datasets;
import io.onerec.api.data.InteractionSequences;
import io.onerec.api.data.ItemMetadata;
import io.onerec.api.data.LeaveOneOutSplit;
import io.onerec.api.data.NextItemExample;
import io.onerec.api.eval.BatchRecommender;
import io.onerec.api.eval.EvaluationResult;
import io.onerec.api.eval.Evaluator;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.api.thinkahead.FilePrefixStore;
import io.onerec.api.thinkahead.ThinkAheadGenerator;
import io.onerec.api.thinkahead.ThinkAheadJob;
import io.onerec.cpu.codec.ResidualCodec;
import io.onerec.cpu.codec.ResidualCodecFitter;
import io.onerec.cpu.embed.ItemEmbeddingBuilder;
import io.onerec.libtorch.generator.GeneratorModel;
import io.onerec.libtorch.generator.GeneratorTrainer;
import io.onerec.libtorch.generator.LibTorchGenerator;
import io.onerec.libtorch.generator.TrainerConfig;
import io.onerec.libtorch.reasoner.LibTorchReasoner;
import io.onerec.libtorch.reasoner.QwenConfig;
import io.onerec.libtorch.reasoner.QwenModel;
import io.onerec.libtorch.reasoner.ReasonerTexts;
import io.onerec.libtorch.reasoner.ReasonerTrainer;
import io.onerec.libtorch.reasoner.SidVocabulary;
import io.onerec.libtorch.reasoner.TokenExample;
import io.onerec.libtorch.reasoner.WordTokenizer;
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
 * Qwen-style reasoner through the three stages (itemic alignment, reasoning activation, GRPO), then compares on the
 * test split: the generator alone, the reasoner alone, and Think-Ahead (reasoner prefixes cached offline, generator
 * decoding only under them online). Small budgets: this is a 2-core demonstration, not the paper's 1.7B model.
 *
 * <p>Flags: {@code --out DIR} (reuses DIR/codec and DIR/generator when present), {@code --generator-minutes N},
 * {@code --reasoner-minutes N} (split over the three stages), {@code --eval-users N}, {@code --train-examples N},
 * {@code --paths T}, {@code --prefixes m}.
 */
public final class ThinkAheadExample {
    private static final Logger LOG = LoggerFactory.getLogger(ThinkAheadExample.class);

    record Options(Path out, double generatorMinutes, double reasonerMinutes, int evalUsers, int trainExamples, int paths, int prefixes,
                   int generatorExamples) {
        static Options parse(String[] args) {
            Path out = Path.of("runs/think-ahead");
            double gen = 4, rea = 8;
            int eval = 300, train = 6000, paths = 2, prefixes = 4, genExamples = 20000;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--out" -> out = Path.of(args[++i]);
                    case "--generator-minutes" -> gen = Double.parseDouble(args[++i]);
                    case "--reasoner-minutes" -> rea = Double.parseDouble(args[++i]);
                    case "--eval-users" -> eval = Integer.parseInt(args[++i]);
                    case "--train-examples" -> train = Integer.parseInt(args[++i]);
                    case "--paths" -> paths = Integer.parseInt(args[++i]);
                    case "--prefixes" -> prefixes = Integer.parseInt(args[++i]);
                    case "--generator-examples" -> genExamples = Integer.parseInt(args[++i]);
                    default -> throw new IllegalArgumentException("unknown flag " + args[i] + " (flags: --out DIR --generator-minutes N "
                            + "--reasoner-minutes N --eval-users N --train-examples N --paths T --prefixes m --generator-examples N)");
                }
            }
            return new Options(out, gen, rea, eval, train, paths, prefixes, genExamples);
        }
    }

    public static void main(String[] args) throws Exception {
        Options opt = Options.parse(args);
        Path data = Datasets.dataDir();
        InteractionSequences seqs = Datasets.beauty(data);
        ItemMetadata meta = Datasets.beautyMetadata(data, seqs);
        LeaveOneOutSplit split = LeaveOneOutSplit.of(seqs, 20);
        ResidualCodec codec = codec(opt, seqs, meta, split);
        LibTorchGenerator generator = generator(opt, codec, split, seqs.itemCount());
        LibTorchReasoner reasoner = reasoner(opt, codec, meta, split);

        List<NextItemExample> test = split.test().subList(0, Math.min(opt.evalUsers(), split.test().size()));
        List<UserHistory> users = test.stream().map(NextItemExample::history).toList();
        Evaluator evaluator = new Evaluator(Evaluator.DEFAULT_KS, 64, ProgressListener.NONE);

        long t0 = System.nanoTime();
        EvaluationResult genAlone = evaluator.evaluate("test", test, seqs.itemCount(), BeautyEndToEnd.recommender(generator, 20));
        double genSeconds = (System.nanoTime() - t0) / 1e9;

        t0 = System.nanoTime();
        EvaluationResult reasonerAlone = evaluator.evaluate("test", test, seqs.itemCount(), (histories, k) -> {
            List<int[]> out = new ArrayList<>();
            for (UserHistory h : histories) out.add(reasoner.recommend(h, opt.paths(), 10, k, h.userId()));
            return out;
        });
        double reasonerSeconds = (System.nanoTime() - t0) / 1e9;

        // Think-Ahead: the offline job caches prefix sets, the online generator decodes under them.
        t0 = System.nanoTime();
        Path storeFile = opt.out().resolve("think-ahead-prefixes.tsv");
        Files.deleteIfExists(storeFile);
        FilePrefixStore store = FilePrefixStore.open(storeFile);
        double meanSet = new ThinkAheadJob(reasoner, opt.paths(), opt.prefixes(), 1).run(users, store, ProgressListener.logging(LOG));
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

        LOG.info("==== Amazon Beauty, leave-one-out test, first {} users ====", test.size());
        row("generator alone", genAlone, String.format("%.1f ms/user", 1000 * genSeconds / test.size()));
        row("reasoner alone", reasonerAlone, String.format("%.1f ms/user, %d paths", 1000 * reasonerSeconds / test.size(), opt.paths()));
        row("Think-Ahead", thinkAhead, String.format("online %.1f ms/user, offline %.1f ms/user", 1000 * onlineSeconds / test.size(),
                1000 * offlineSeconds / test.size()));
        LOG.info("Think-Ahead prefix sets: mean {} of {} valid (c1,c2) prefixes; target's prefix covered for {}% of users (T={}, m={})",
                String.format("%.1f", meanSet), codec.validPrefixes(2).size(), String.format("%.1f", 100.0 * covered / test.size()),
                opt.paths(), opt.prefixes());
        LOG.info("(wall-clock per-user times above are indicative only; the latency comparison is the JMH benchmark ThinkAheadBenchmark)");
    }

    private static void row(String name, EvaluationResult r, String extra) {
        LOG.info("{}: R@5 {}  N@5 {}  R@10 {}  N@10 {}  ({})", String.format("%-16s", name), f(r.recall(5)), f(r.ndcg(5)),
                f(r.recall(10)), f(r.ndcg(10)), extra);
    }

    private static String f(double v) {
        return String.format("%.4f", v);
    }

    static ResidualCodec codec(Options opt, InteractionSequences seqs, ItemMetadata meta, LeaveOneOutSplit split) {
        Path dir = opt.out().resolve("codec");
        if (Files.isDirectory(dir)) return ResidualCodec.load(dir);
        int[][] trainSeqs = new int[seqs.userCount()][];
        for (int u = 0; u < trainSeqs.length; u++) trainSeqs[u] = split.trainSequence(u);
        ItemEmbeddings emb = new ItemEmbeddingBuilder(ItemEmbeddingBuilder.Config.defaults()).build(meta, trainSeqs);
        var fit = new ResidualCodecFitter(ResidualCodecFitter.Config.of(3, 256, ResidualCodecFitter.Method.BALANCED).withMaxIterations(10)).fit(emb);
        LOG.info("codec: {}", fit.report());
        fit.codec().save(dir);
        return fit.codec();
    }

    static LibTorchGenerator generator(Options opt, ResidualCodec codec, LeaveOneOutSplit split, int itemCount) {
        Path dir = opt.out().resolve("generator");
        if (Files.isDirectory(dir)) return LibTorchGenerator.load(dir, codec);
        GeneratorConfig gc = new GeneratorConfig(64, 4, 256, 2, 2, 0, 0, 20, codec.codebookSizes(), 0, 1, 1e-6);
        GeneratorModel model = GeneratorModel.initialize(gc, 42);
        // The trainer checks its time budget at epoch ends, so a budget-sized random subset makes epochs short.
        List<NextItemExample> train = new ArrayList<>(split.train());
        Collections.shuffle(train, new Random(2));
        train = train.subList(0, Math.min(opt.generatorExamples(), train.size()));
        TrainerConfig tc = TrainerConfig.defaults().withMaxEpochs(50).withLearningRate(2e-3, 50)
                .withEvaluation(1, 300, 20).withTimeBudget(Duration.ofSeconds((long) (opt.generatorMinutes() * 60)));
        GeneratorTrainer.Result r = new GeneratorTrainer(model, codec, tc, ProgressListener.logging(LOG)).fit(train, split.validation(), itemCount);
        LOG.info("generator: {} epochs in {}, best validation {}", r.epochs(), r.time(), r.bestValidation());
        model.save(dir);
        return new LibTorchGenerator(model, codec);
    }

    static LibTorchReasoner reasoner(Options opt, ResidualCodec codec, ItemMetadata meta, LeaveOneOutSplit split) {
        Path dir = opt.out().resolve("reasoner");
        if (Files.isDirectory(dir)) return LibTorchReasoner.load(dir, codec, meta);
        ReasonerTexts texts = new ReasonerTexts(codec, meta, 3, 3);
        List<NextItemExample> train = new ArrayList<>(split.train());
        Collections.shuffle(train, new Random(1));
        train = train.subList(0, Math.min(opt.trainExamples(), train.size()));
        List<UserHistory> users = train.stream().map(NextItemExample::history).toList();
        int[] targets = train.stream().mapToInt(NextItemExample::target).toArray();
        SidVocabulary vocab = SidVocabulary.extend(WordTokenizer.build(texts.vocabularyTexts(users, targets), 3, 4000), codec.codebookSizes());
        QwenModel model = QwenModel.initialize(QwenConfig.tiny(vocab.tokenizer().vocabSize(), 64, 2, 4, 2), 7);
        LOG.info("reasoner: vocabulary {} ({} added item tokens), {} parameters", vocab.tokenizer().vocabSize(),
                vocab.tokenizer().addedCount(), model.parameterCount());
        ReasonerTrainer trainer = new ReasonerTrainer(model, vocab, new ReasonerTrainer.Config(3e-3, 0.0, 32, 1.0, 7), ProgressListener.logging(LOG));
        Duration stage = Duration.ofSeconds((long) (opt.reasonerMinutes() * 60 / 3));

        List<TokenExample> align = new ArrayList<>();
        for (int item = 0; item < codec.itemCount(); item++) align.add(texts.descriptionExample(vocab, item));
        for (int i = 0; i < users.size(); i++) align.add(texts.nextItemExample(vocab, users.get(i), targets[i]));
        LOG.info("stage 1 (itemic alignment) losses per epoch: {}", trainer.fit("reasoner/alignment", align, 20, stage));

        List<TokenExample> reason = new ArrayList<>();
        for (int i = 0; i < users.size(); i++) reason.add(texts.reasoningExample(vocab, users.get(i), targets[i]));
        LOG.info("stage 2 (reasoning activation) losses per epoch: {}", trainer.fit("reasoner/activation", reason, 20, stage));

        long deadline = System.nanoTime() + stage.toNanos();
        Random rnd = new Random(3);
        ReasonerTrainer.GrpoConfig grpo = new ReasonerTrainer.GrpoConfig(4, 5, 1.0, 16);
        int steps = 0;
        double firstReward = Double.NaN, rewardSum = 0;
        while (System.nanoTime() < deadline) {
            List<int[]> prompts = new ArrayList<>();
            List<SemanticId> goals = new ArrayList<>();
            for (int j = 0; j < 4; j++) {
                int i = rnd.nextInt(users.size());
                prompts.add(vocab.tokenizer().encode(texts.prompt(users.get(i))));
                goals.add(codec.sidOf(targets[i]));
            }
            ReasonerTrainer.GrpoStep s = trainer.grpoStep(prompts, goals, codec.trie(), grpo);
            if (steps == 0) firstReward = s.meanReward();
            rewardSum += s.meanReward();
            steps++;
        }
        LOG.info("stage 3 (GRPO): {} steps, first-step mean reward {}, mean reward over all steps {}", steps,
                String.format("%.3f", firstReward), String.format("%.3f", rewardSum / Math.max(1, steps)));
        LibTorchReasoner reasoner = new LibTorchReasoner(model, vocab, texts, new LibTorchReasoner.Options(1.0, 16));
        reasoner.save(dir);
        return reasoner;
    }
}

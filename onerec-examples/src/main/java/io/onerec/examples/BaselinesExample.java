package io.onerec.examples;

import io.onerec.api.ProgressListener;
import io.onerec.api.checkpoint.ItemEmbeddingsFile;
import io.onerec.tools.data.Datasets;
import io.onerec.tools.data.InteractionSequences;
import io.onerec.tools.data.LeaveOneOutSplit;
import io.onerec.tools.data.NextItemExample;
import io.onerec.tools.data.UserFolds;
import io.onerec.tools.eval.BatchRecommender;
import io.onerec.tools.eval.EvaluationResult;
import io.onerec.tools.eval.Evaluator;
import io.onerec.tools.eval.PopularityBaseline;
import io.onerec.tools.eval.TransitionBaseline;
import io.onerec.libtorch.baseline.HeldOutFold;
import io.onerec.libtorch.baseline.SasRecConfig;
import io.onerec.libtorch.baseline.SasRecModel;
import io.onerec.libtorch.baseline.SasRecRecommender;
import io.onerec.libtorch.baseline.SasRecTrainer;
import io.onerec.libtorch.baseline.SasRecTrainerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The yardsticks on a sequence data set (Amazon Beauty unless {@code --data FILE}, an Amazon/S3-Rec
 * {@code user item item ...} file or a RecBole {@code .inter} file): popularity, an item-to-item transition table and SASRec (LibTorch), fitted on
 * the training parts of the leave-one-out split and evaluated by the same {@link Evaluator} as the generator (full
 * ranking over all items, all users, history items not masked), test and validation side by side with each
 * baseline's wall-clock fit time. SASRec's checkpoint goes to {@code --out}/sasrec and its item embeddings to
 * {@code --out}/sasrec/item_embeddings.safetensors (see {@link ItemEmbeddingsFile}).
 *
 * <p>Histories keep the last {@code --history} items (default 50, SASRec's maximum length; popularity ignores the
 * history and the transition table reads only its last 3 items, so for them the cap changes nothing).
 *
 * <p>Flags: {@code --out DIR}, {@code --data FILE}, {@code --history N}, {@code --sasrec-minutes M} (training time budget, default 25),
 * {@code --epochs N}, {@code --val-users N} (validation users, a seeded random sample, that drive early stopping; default 5000, 0 = all), {@code --dropout P},
 * {@code --dim D}, {@code --blocks B}, {@code --heads H}, {@code --ffn F} (feed-forward inner size, default 4 x dim),
 * {@code --patience N} (epochs without a better validation NDCG@10 before stopping, default 10), {@code --item-init-std S}
 * (standard deviation of the initial item embeddings, which are also the output layer; default 0.02),
 * {@code --weight-decay W} (AdamW's decoupled weight decay, default 0), {@code --beta2 B} (Adam's, default 0.999),
 * {@code --lr LR} (Adam, default 1e-3),
 * {@code --length-buckets} (SASRec batches of similar-length sequences, faster per epoch, instead of batches drawn at
 * random, in which every position weighs the same), {@code --seed S} (SASRec's initialisation, dropout, batch order
 * and validation sample;
 * default 42), {@code --pre-norm} (the original SASRec's block layout instead of RecBole's post-LN),
 * {@code --fold k/K} (cross-fitting: SASRec trains and validates on every user outside fold k of K, the folds a seeded
 * hash of the user, {@link UserFolds} seed {@value #FOLD_SEED}; the checkpoint records the fold ({@link HeldOutFold}) and
 * the table adds its rows on fold k's users alone, whom it never saw), {@code --no-sasrec}.
 */
public final class BaselinesExample {
    private static final Logger LOG = LoggerFactory.getLogger(BaselinesExample.class);

    record Options(Path out, Path data, int history, double minutes, int epochs, int valUsers, double dropout, int dim, int blocks,
                   int heads, int ffn, int patience, double itemInitStd, double weightDecay, double beta2, double lr,
                   boolean sasrec, boolean lengthBuckets, long seed, boolean preNorm, HeldOutFold fold) {
        static Options parse(String[] args) {
            Path out = Path.of("runs/baselines"), data = null;
            int history = 50, epochs = 200, valUsers = 5000, dim = 64, blocks = 2, heads = 1, ffn = 0, patience = 10;
            double minutes = 25, dropout = 0.5, lr = 1e-3, itemInitStd = 0.02, weightDecay = 0, beta2 = 0.999;
            boolean sasrec = true, lengthBuckets = false;
            long seed = 42;
            boolean preNorm = false;
            HeldOutFold fold = null;
            FlagReader f = new FlagReader(args);
            while (f.next()) {
                switch (f.flag()) {
                    case "--out" -> out = f.path();
                    case "--data" -> data = f.path();
                    case "--history" -> history = f.count(1);
                    case "--sasrec-minutes" -> minutes = f.positive();
                    case "--epochs" -> epochs = f.count(1);
                    case "--val-users" -> valUsers = f.count(0); // 0 = all
                    case "--dropout" -> dropout = f.fraction();
                    case "--dim" -> dim = f.count(1);
                    case "--blocks" -> blocks = f.count(1);
                    case "--heads" -> heads = f.count(1);
                    case "--ffn" -> ffn = f.count(1);
                    case "--patience" -> patience = f.count(1);
                    case "--item-init-std" -> itemInitStd = f.positive();
                    case "--weight-decay" -> weightDecay = f.nonNegative();
                    case "--beta2" -> beta2 = f.fraction();
                    case "--lr" -> lr = f.positive();
                    case "--no-sasrec" -> sasrec = false;
                    case "--length-buckets" -> lengthBuckets = true;
                    case "--seed" -> seed = f.longValue();
                    case "--pre-norm" -> preNorm = true;
                    case "--fold" -> fold = parseFold(f.text());
                    default -> throw f.unknown("--out DIR --data FILE --history N --sasrec-minutes M --epochs N --val-users N"
                            + " --dropout P --dim D --blocks B --heads H --ffn F --patience N --item-init-std S --weight-decay W"
                            + " --beta2 B --lr LR --length-buckets --seed S --pre-norm --fold k/K --no-sasrec");
                }
            }
            return new Options(out, data, history, minutes, epochs, valUsers, dropout, dim, blocks, heads,
                    ffn == 0 ? 4 * dim : ffn, patience, itemInitStd, weightDecay, beta2, lr, sasrec, lengthBuckets, seed, preNorm, fold);
        }
    }

    /** The folds {@code --fold} draws users into. */
    static final long FOLD_SEED = 0;

    /** "k/K": fold k of K held out. */
    static HeldOutFold parseFold(String text) {
        int slash = text.indexOf('/');
        try {
            if (slash < 0) throw new NumberFormatException();
            int k = Integer.parseInt(text.substring(0, slash).strip()), count = Integer.parseInt(text.substring(slash + 1).strip());
            return new HeldOutFold(k, new UserFolds(count, FOLD_SEED));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--fold takes k/K (fold k of K held out, e.g. 0/2), got \"" + text + "\"");
        }
    }

    record Row(String name, Duration fit, EvaluationResult test, EvaluationResult validation) {
    }

    public static void main(String[] args) {
        Options opt = Options.parse(args);
        // Any sequence file (Amazon/S3-Rec `user item item ...` or RecBole .inter); Amazon Beauty by default.
        Path dataFile = opt.data != null ? opt.data : Datasets.beautySequences(Datasets.dataDir());
        InteractionSequences seqs = Datasets.sequences(dataFile);
        LeaveOneOutSplit split = LeaveOneOutSplit.of(seqs, opt.history);
        Evaluator evaluator = new Evaluator(Evaluator.DEFAULT_KS, 256, ProgressListener.NONE);
        List<Row> rows = new ArrayList<>();

        rows.add(evaluate("popularity", () -> PopularityBaseline.fit(split, false), split, evaluator));
        rows.add(evaluate("transition table (last 3)", () -> TransitionBaseline.fit(split), split, evaluator));
        if (opt.sasrec) {
            SasRecConfig config = new SasRecConfig(seqs.itemCount(), opt.dim, opt.blocks, opt.heads, opt.ffn,
                    opt.history, opt.dropout, opt.preNorm);
            SasRecTrainerConfig tc = SasRecTrainerConfig.defaults().withMaxEpochs(opt.epochs).withLearningRate(opt.lr)
                    .withWeightDecay(opt.weightDecay).withBeta2(opt.beta2)
                    .withTimeBudget(Duration.ofSeconds((long) (opt.minutes * 60))).withEvaluation(opt.valUsers, opt.patience)
                    .withLengthBuckets(opt.lengthBuckets).withSeed(opt.seed);
            LOG.info("SASRec {} trained with {}", config, tc);
            SasRecModel[] model = new SasRecModel[1];
            SasRecTrainer.Result[] result = new SasRecTrainer.Result[1];
            rows.add(evaluate("SASRec", () -> {
                model[0] = SasRecModel.initialize(config, tc.seed(), opt.itemInitStd);
                SasRecTrainer trainer = new SasRecTrainer(model[0], tc, ProgressBar.forConsole());
                result[0] = opt.fold == null ? trainer.fit(split) : trainer.fit(split, opt.fold::trainsOn);
                return new SasRecRecommender(model[0], false);
            }, split, evaluator));
            LOG.info("SASRec: {} epochs, best epoch {} by validation NDCG@10", result[0].epochs(), result[0].bestEpoch());
            Path dir = opt.out.resolve("sasrec");
            model[0].save(dir);
            if (opt.fold != null) {
                opt.fold.write(dir);
                LOG.info("SASRec trained without fold {} of {} ({} of {} users held out)", opt.fold.fold(), opt.fold.folds().count(),
                        heldOut(split.test(), opt.fold).size(), split.test().size());
            }
            Path emb = dir.resolve("item_embeddings.safetensors");
            ItemEmbeddingsFile.write(emb, model[0].itemEmbeddings(), "sasrec");
            LOG.info("SASRec checkpoint written to {}, item embeddings [{} x {}] to {}", dir, seqs.itemCount(), opt.dim, emb);
            BatchRecommender masked = new SasRecRecommender(model[0], true);
            rows.add(new Row("SASRec, history masked", null, evaluator.test(split, masked), evaluator.validation(split, masked)));
            if (opt.fold != null) {
                // Its quality as a teacher for the users it never saw.
                List<NextItemExample> test = heldOut(split.test(), opt.fold), valid = heldOut(split.validation(), opt.fold);
                rows.add(new Row("  on fold " + opt.fold.fold() + " (unseen)", null, evaluator.evaluate("test", test, split.itemCount(), masked),
                        evaluator.evaluate("validation", valid, split.itemCount(), masked)));
            }
        }

        StringBuilder table = new StringBuilder();
        table.append(String.format(Locale.ROOT, "%n==== %s baselines: leave-one-out, full ranking over %d items, all %d users,"
                + " history cap %d ====%n", dataFile.getFileName(), seqs.itemCount(), split.test().size(), opt.history));
        table.append(String.format(Locale.ROOT, "%-28s | %-31s | %-31s | %s%n", "", "test R@5 N@5 R@10 N@10",
                "validation R@5 N@5 R@10 N@10", "fit time"));
        for (Row r : rows) {
            table.append(String.format(Locale.ROOT, "%-28s | %s | %s | %s%n", r.name, metrics(r.test), metrics(r.validation),
                    r.fit == null ? "(same model)" : String.format(Locale.ROOT, "%.1f s", r.fit.toMillis() / 1000.0)));
        }
        LOG.info("{}", table);
    }

    private static Row evaluate(String name, Supplier<BatchRecommender> fit, LeaveOneOutSplit split, Evaluator evaluator) {
        long t0 = System.nanoTime();
        BatchRecommender recommender = fit.get();
        Duration fitTime = Duration.ofNanos(System.nanoTime() - t0);
        LOG.info("{} fitted in {} ms", name, fitTime.toMillis());
        return new Row(name, fitTime, evaluator.test(split, recommender), evaluator.validation(split, recommender));
    }

    private static List<NextItemExample> heldOut(List<NextItemExample> examples, HeldOutFold fold) {
        return examples.stream().filter(e -> !fold.trainsOn(e.user())).toList();
    }

    private static String metrics(EvaluationResult r) {
        return String.format(Locale.ROOT, "%.4f  %.4f  %.4f  %.4f", r.recall(5), r.ndcg(5), r.recall(10), r.ndcg(10));
    }
}

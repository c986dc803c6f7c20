package io.onerec.libtorch.baseline;

import io.onerec.api.ProgressListener;
import io.onerec.api.TrainingProgress;
import io.onerec.tools.data.LeaveOneOutSplit;
import io.onerec.tools.data.NextItemExample;
import io.onerec.tools.eval.EvaluationResult;
import io.onerec.tools.eval.Evaluator;
import io.onerec.libtorch.Torch;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.IntPredicate;

/**
 * Trains {@link SasRecModel} the fast way: one row per user (the training part of the sequence,
 * {@link LeaveOneOutSplit#trainSequence}, its last {@code maxLength + 1} items), predicting the next item at every
 * position at once with full-softmax cross-entropy over the whole catalog. Adam with a constant learning rate.
 * After every epoch, validation NDCG@10 on a seeded random sample of validation users (or all of them) drives early
 * stopping, and the best epoch's weights are restored at the end.
 *
 * <p>A batch is as wide as its longest sequence rather than {@code maxLength}, and only real positions reach the
 * full-catalog softmax, which is most of the cost. By default batches are drawn at random and every position weighs
 * the same, as in the usual padded SASRec training; with {@link SasRecTrainerConfig#lengthBuckets()} a batch holds
 * sequences of similar length (narrow batches, faster, but each batch weighs the same in the loss, so positions of
 * short sequences weigh more, and on Beauty the model stalls well below the random-batch one).
 */
public final class SasRecTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(SasRecTrainer.class);

    private final SasRecModel model;
    private final SasRecTrainerConfig config;
    private final ProgressListener progress;
    private final AdamW optimizer;
    private long step;

    public SasRecTrainer(SasRecModel model, SasRecTrainerConfig config, ProgressListener progress) {
        this.model = model;
        this.config = config;
        this.progress = progress == null ? ProgressListener.NONE : progress;
        AdamWOptions opts = new AdamWOptions(config.learningRate());
        opts.weight_decay().put(config.weightDecay());
        setBeta2(opts, config.beta2());
        this.optimizer = new AdamW(model.parameters(), opts);
    }

    /**
     * Sets Adam's beta2. {@code betas()} points at a {@code std::tuple<double, double>}, whose element order in memory
     * is the C++ library's business (libstdc++ stores it last element first), so the slot is found by its default
     * 0.999 instead of assumed.
     */
    static void setBeta2(AdamWOptions opts, double beta2) {
        DoublePointer betas = opts.betas();
        int slot = betas.get(0) == 0.999 && betas.get(1) == 0.9 ? 0 : betas.get(1) == 0.999 && betas.get(0) == 0.9 ? 1 : -1;
        if (slot < 0) throw new IllegalStateException("unexpected Adam betas " + betas.get(0) + ", " + betas.get(1));
        betas.put(slot, beta2);
    }

    /** What a training run reached. */
    public record Result(int epochs, long steps, double lastEpochLoss, int bestEpoch, EvaluationResult bestValidation,
                         Duration time) {
    }

    /** A training row: inputs {@code s[0..m-2]} and the next item at each position, {@code s[1..m-1]}. */
    record Row(int[] inputs, int[] targets) {
    }

    /** One row per user whose training sequence has at least two items, truncated to the last maxLength inputs. */
    List<Row> rows(LeaveOneOutSplit split) {
        return rows(split, user -> true);
    }

    /** {@link #rows(LeaveOneOutSplit)} of the users {@code trainsOn} accepts. */
    List<Row> rows(LeaveOneOutSplit split, IntPredicate trainsOn) {
        if (split.itemCount() != model.config().items()) {
            throw new IllegalArgumentException("split has " + split.itemCount() + " items, model " + model.config().items());
        }
        int max = model.config().maxLength();
        List<Row> rows = new ArrayList<>();
        for (int u = 0; u < split.data().userCount(); u++) {
            if (!trainsOn.test(u)) continue;
            int[] s = split.trainSequence(u);
            if (s.length < 2) continue;
            int from = Math.max(0, s.length - 1 - max);
            rows.add(new Row(Arrays.copyOfRange(s, from, s.length - 1), Arrays.copyOfRange(s, from + 1, s.length)));
        }
        return rows;
    }

    public Result fit(LeaveOneOutSplit split) {
        return fit(split, user -> true);
    }

    /**
     * Trains on the users (dense indices) {@code trainsOn} accepts and validates on a sample of theirs; the others'
     * sequences are never read. Cross-fitting ({@link HeldOutFold}) trains one model per fold this way.
     */
    public Result fit(LeaveOneOutSplit split, IntPredicate trainsOn) {
        long start = System.nanoTime();
        List<Row> rows = rows(split, trainsOn);
        if (rows.isEmpty()) throw new IllegalArgumentException("no user has a training sequence of two or more items");
        Random rnd = new Random(config.seed());
        List<NextItemExample> trainedUsers = split.validation().stream().filter(e -> trainsOn.test(e.user())).toList();
        List<NextItemExample> evalSet = sample(trainedUsers, config.evalUsers(), config.seed());
        boolean validate = !evalSet.isEmpty();
        Evaluator evaluator = new Evaluator(Evaluator.DEFAULT_KS, 256, ProgressListener.NONE);
        SasRecRecommender recommender = new SasRecRecommender(model, false);
        LOG.info("SASRec: {} parameters, {} training sequences, validation on {} users", model.parameterCount(),
                rows.size(), evalSet.size());
        double bestNdcg = -1, epochLoss = Double.NaN;
        int bestEpoch = 0, sinceBest = 0, epoch = 0;
        EvaluationResult best = null;
        SasRecModel bestWeights = null;
        while (epoch < config.maxEpochs()) {
            epoch++;
            List<List<Row>> batches = batches(rows, rnd);
            double lossSum = 0;
            long positions = 0;
            boolean outOfTime = false;
            for (int b = 0; b < batches.size() && !outOfTime; b++) {
                List<Row> batch = batches.get(b);
                int n = 0;
                for (Row r : batch) n += r.targets().length;
                double loss = trainStep(batch);
                lossSum += loss * n;
                positions += n;
                if (b % 20 == 0) {
                    progress.onProgress(new TrainingProgress("sasrec/epoch-" + epoch, b, batches.size(), loss, Map.of()));
                }
                outOfTime = config.timeBudget() != null && System.nanoTime() - start > config.timeBudget().toNanos();
            }
            epochLoss = lossSum / positions;
            if (validate) {
                EvaluationResult r = evaluator.evaluate("validation", evalSet, split.itemCount(), recommender);
                progress.onProgress(new TrainingProgress("sasrec/validation", epoch, config.maxEpochs(), epochLoss, r.asMap()));
                LOG.info("epoch {}: loss {} {} ({} s)", epoch, String.format("%.4f", epochLoss), r,
                        (System.nanoTime() - start) / 1_000_000_000);
                if (r.ndcg(10) > bestNdcg) {
                    bestNdcg = r.ndcg(10);
                    best = r;
                    bestEpoch = epoch;
                    sinceBest = 0;
                    bestWeights = model.copy(false);
                } else if (++sinceBest >= config.patience()) {
                    LOG.info("early stop after epoch {}: no validation NDCG@10 gain for {} epochs", epoch, sinceBest);
                    break;
                }
            } else {
                LOG.info("epoch {}: loss {}", epoch, String.format("%.4f", epochLoss));
            }
            if (outOfTime) {
                LOG.info("time budget {} reached in epoch {} after {} steps", config.timeBudget(), epoch, step);
                break;
            }
        }
        if (bestWeights != null && bestEpoch != epoch) {
            LOG.info("restoring the weights of epoch {} (validation NDCG@10 {})", bestEpoch, String.format("%.4f", bestNdcg));
            model.loadWeightsFrom(bestWeights);
        }
        return new Result(epoch, step, epochLoss, bestEpoch, best, Duration.ofNanos(System.nanoTime() - start));
    }

    /** One Adam step on a batch of rows; returns the mean cross-entropy over its positions. */
    double trainStep(List<Row> batch) {
        try (PointerScope scope = new PointerScope()) {
            List<int[]> inputs = new ArrayList<>(batch.size());
            for (Row r : batch) inputs.add(r.inputs());
            SasRecModel.Batch in = model.batch(inputs);
            int t = in.width();
            int n = 0;
            for (Row r : batch) n += r.targets().length;
            long[] at = new long[n], target = new long[n];
            int k = 0;
            for (int row = 0; row < batch.size(); row++) {
                int[] tg = batch.get(row).targets();
                int pad = t - tg.length;
                for (int c = 0; c < tg.length; c++) {
                    at[k] = (long) row * t + pad + c;
                    target[k++] = tg[c];
                }
            }
            Tensor h = model.hidden(in, true).view(-1, model.config().dim()).index_select(0, Torch.longs(at, n));
            Tensor loss = torch.cross_entropy(model.logits(h), Torch.longs(target, n));
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            step++;
            return loss.item_double();
        }
    }

    /**
     * Rows in random order cut into batches; with length buckets, rows grouped by length first (random order within a
     * length) and the batch order shuffled.
     */
    List<List<Row>> batches(List<Row> rows, Random rnd) {
        List<Row> order = new ArrayList<>(rows);
        Collections.shuffle(order, rnd);
        if (config.lengthBuckets()) {
            order.sort(Comparator.comparingInt(r -> r.inputs().length)); // stable: keeps the shuffle within a length
        }
        List<List<Row>> batches = new ArrayList<>();
        for (int i = 0; i < order.size(); i += config.batchSize()) {
            batches.add(order.subList(i, Math.min(order.size(), i + config.batchSize())));
        }
        if (config.lengthBuckets()) Collections.shuffle(batches, rnd);
        return batches;
    }

    /** A seeded random sample of {@code n} examples in their original order, or all when n is 0 or too large. */
    static List<NextItemExample> sample(List<NextItemExample> examples, int n, long seed) {
        if (n == 0 || n >= examples.size()) return examples;
        List<Integer> idx = new ArrayList<>(examples.size());
        for (int i = 0; i < examples.size(); i++) idx.add(i);
        Collections.shuffle(idx, new Random(seed));
        List<Integer> chosen = new ArrayList<>(idx.subList(0, n));
        Collections.sort(chosen);
        List<NextItemExample> out = new ArrayList<>(n);
        for (int i : chosen) out.add(examples.get(i));
        return out;
    }

    public SasRecModel model() {
        return model;
    }

    public long steps() {
        return step;
    }
}

package io.onerec.tools.eval;

import io.onerec.api.ProgressListener;
import io.onerec.api.TrainingProgress;
import io.onerec.api.UserHistory;
import io.onerec.tools.data.LeaveOneOutSplit;
import io.onerec.tools.data.NextItemExample;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * Full-ranking evaluation of a {@link BatchRecommender} over the validation or test part of a leave-one-out split:
 * asks for the top max(K) items per user, in batches, and averages Recall@K / NDCG@K. The recommender's lists are
 * checked (one per user, items inside the catalog, no duplicates); what it ranks is its own business, e.g. whether
 * it excludes items already in the history.
 */
public final class Evaluator {
    private static final Logger LOG = LoggerFactory.getLogger(Evaluator.class);
    public static final int[] DEFAULT_KS = {5, 10};

    private final int[] ks;
    private final int batchSize;
    private final ProgressListener progress;

    public Evaluator() {
        this(DEFAULT_KS, 256, ProgressListener.NONE);
    }

    public Evaluator(int[] ks, int batchSize, ProgressListener progress) {
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        this.ks = new RankingMetrics(ks).ks(); // validates
        this.batchSize = batchSize;
        this.progress = progress == null ? ProgressListener.NONE : progress;
    }

    public EvaluationResult validation(LeaveOneOutSplit split, BatchRecommender recommender) {
        return evaluate("validation", split.validation(), split.itemCount(), recommender);
    }

    public EvaluationResult test(LeaveOneOutSplit split, BatchRecommender recommender) {
        return evaluate("test", split.test(), split.itemCount(), recommender);
    }

    /**
     * A seeded random sample of {@code size} examples, in their original order (all of them when {@code size} is 0
     * or covers them). Quick checks and early stopping use this instead of the first users of a file, which are not
     * a random sample (on Beauty the first 1,000 are harder than average).
     */
    public static List<NextItemExample> sample(List<NextItemExample> examples, int size, long seed) {
        if (size < 0) throw new IllegalArgumentException("sample size must be >= 0, got " + size);
        if (size == 0 || examples.size() <= size) return examples;
        int[] index = new int[examples.size()];
        for (int i = 0; i < index.length; i++) index[i] = i;
        java.util.Random rnd = new java.util.Random(seed);
        for (int i = 0; i < size; i++) { // partial Fisher-Yates: the first `size` slots are a uniform sample
            int j = i + rnd.nextInt(index.length - i);
            int t = index[i]; index[i] = index[j]; index[j] = t;
        }
        int[] chosen = java.util.Arrays.copyOf(index, size);
        java.util.Arrays.sort(chosen);
        List<NextItemExample> out = new ArrayList<>(size);
        for (int i : chosen) out.add(examples.get(i));
        return java.util.Collections.unmodifiableList(out);
    }

    /** Evaluates any list of examples (e.g. a slice of the test users for a quick check). */
    public EvaluationResult evaluate(String set, List<NextItemExample> examples, int itemCount, BatchRecommender recommender) {
        RankingMetrics metrics = new RankingMetrics(ks);
        int topK = metrics.maxK();
        int batches = (examples.size() + batchSize - 1) / batchSize;
        long start = System.nanoTime();
        for (int b = 0; b < batches; b++) {
            List<NextItemExample> batch = examples.subList(b * batchSize, Math.min(examples.size(), (b + 1) * batchSize));
            List<UserHistory> histories = new ArrayList<>(batch.size());
            for (NextItemExample e : batch) histories.add(e.history());
            List<int[]> lists = recommender.recommend(histories, topK);
            if (lists == null || lists.size() != batch.size()) {
                throw new IllegalStateException("recommender returned " + (lists == null ? "null" : lists.size() + " lists")
                        + " for a batch of " + batch.size() + " users");
            }
            for (int i = 0; i < batch.size(); i++) {
                int[] ranked = lists.get(i);
                NextItemExample e = batch.get(i);
                if (ranked == null) {
                    throw new IllegalStateException("recommender returned no list for user " + e.user());
                }
                if (ranked.length > topK) {
                    throw new IllegalStateException("recommender returned " + ranked.length + " items for user " + e.user()
                            + ", asked for at most " + topK);
                }
                for (int item : ranked) {
                    if (item < 0 || item >= itemCount) {
                        throw new IllegalStateException("recommender returned item " + item + " for user " + e.user()
                                + ", outside the catalog [0, " + itemCount + ")");
                    }
                }
                metrics.add(ranked, e.target());
            }
            progress.onProgress(new TrainingProgress("eval/" + set, b + 1, batches, Double.NaN,
                    EvaluationResult.of(set, metrics).asMap()));
        }
        EvaluationResult result = EvaluationResult.of(set, metrics);
        LOG.info("{} in {} ms", result, (System.nanoTime() - start) / 1_000_000);
        return result;
    }
}

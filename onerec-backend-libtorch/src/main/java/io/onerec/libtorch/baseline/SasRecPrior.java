package io.onerec.libtorch.baseline;

import io.onerec.api.ItemPrior;
import io.onerec.api.UserHistory;
import io.onerec.libtorch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A trained {@link SasRecModel} as an {@link ItemPrior}: for a history, its softmax over the whole catalog, cut to
 * the {@code topK} most probable items (the evidence; the prior's background covers the rest). Used as a teacher
 * whose distribution is distilled into the generator's training targets, or alone or in a
 * {@link ItemPrior#mixture mixture} with the transition table.
 *
 * <p>{@code excludeHistory} leaves the history's own items out of the evidence, for catalogs where users rarely
 * take an item twice (SASRec masked that way is the S3-Rec protocol): the mass then goes to items the user can be
 * recommended.
 *
 * <p>SASRec is trained on the same sequences it then teaches on, so unlike the transition table its evidence for a
 * training pair cannot leave the pair out: {@link #evidenceForTraining} is {@link #evidence}. Evidence is cached per
 * history (the same windows come back every epoch); {@link #precompute} fills the cache in batches. Thread-safe.
 */
public final class SasRecPrior implements ItemPrior {
    private final SasRecModel model;
    private final int topK;
    private final double temperature;
    private final boolean excludeHistory;
    private final ConcurrentHashMap<HistoryKey, Evidence> cache = new ConcurrentHashMap<>();

    /** The last maxLength items of a history, compared by content. */
    private record HistoryKey(int[] items) {
        @Override
        public boolean equals(Object o) {
            return o instanceof HistoryKey k && Arrays.equals(items, k.items);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(items);
        }
    }

    /**
     * @param topK           items kept per history, >= 1
     * @param temperature    softmax temperature, > 0 (1 = the model's own distribution)
     * @param excludeHistory leave the history's items out of the evidence
     */
    public SasRecPrior(SasRecModel model, int topK, double temperature, boolean excludeHistory) {
        if (model == null) throw new IllegalArgumentException("model must not be null");
        if (topK < 1) throw new IllegalArgumentException("topK must be >= 1, got " + topK);
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and > 0, got " + temperature);
        }
        this.model = model;
        this.topK = Math.min(topK, model.config().items());
        this.temperature = temperature;
        this.excludeHistory = excludeHistory;
    }

    @Override
    public Evidence evidence(UserHistory history) {
        HistoryKey key = keyOf(history);
        Evidence cached = cache.get(key);
        if (cached != null) return cached;
        Evidence e = compute(List.of(key)).getFirst();
        cache.put(key, e);
        return e;
    }

    /** Computes and caches the evidence of these histories, {@code batchSize} at a time. */
    public void precompute(Collection<UserHistory> histories, int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        List<HistoryKey> pending = new ArrayList<>(batchSize);
        for (UserHistory h : histories) {
            HistoryKey key = keyOf(h);
            if (cache.containsKey(key)) continue;
            pending.add(key);
            if (pending.size() == batchSize) {
                store(pending);
                pending.clear();
            }
        }
        if (!pending.isEmpty()) store(pending);
    }

    /** Histories whose evidence is cached. */
    public int cachedHistories() {
        return cache.size();
    }

    private void store(List<HistoryKey> keys) {
        List<Evidence> evidence = compute(keys);
        for (int i = 0; i < keys.size(); i++) cache.putIfAbsent(keys.get(i), evidence.get(i));
    }

    private HistoryKey keyOf(UserHistory history) {
        int n = model.config().items();
        int[] items = history.lastItems(model.config().maxLength()).items();
        for (int item : items) {
            if (item >= n) throw new IllegalArgumentException("history item " + item + " outside the catalog [0, " + n + ") of user " + history.userId());
        }
        return new HistoryKey(items);
    }

    private List<Evidence> compute(List<HistoryKey> keys) {
        int n = model.config().items(), b = keys.size();
        List<int[]> seqs = new ArrayList<>(b);
        for (HistoryKey k : keys) seqs.add(k.items());
        List<Evidence> out = new ArrayList<>(b);
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            Tensor scores = model.scoreAll(seqs);
            if (temperature != 1) scores = scores.div(Torch.scalar(temperature));
            if (excludeHistory) {
                boolean[] seen = new boolean[b * n];
                for (int r = 0; r < b; r++) for (int item : seqs.get(r)) seen[r * n + item] = true;
                scores = scores.masked_fill(Torch.bools(seen, b, n), Torch.scalar(Double.NEGATIVE_INFINITY));
            }
            var top = torch.topk(scores.softmax(-1), topK);
            float[] probs = Torch.toFloats(top.get0());
            long[] items = Torch.toLongs(top.get1());
            for (int r = 0; r < b; r++) {
                int[] it = new int[topK];
                double[] w = new double[topK];
                int k = 0;
                for (int i = 0; i < topK; i++) {
                    float p = probs[r * topK + i];
                    if (!(p > 0)) continue; // masked history items when the catalog is nearly exhausted
                    it[k] = (int) items[r * topK + i];
                    w[k++] = p;
                }
                out.add(new Evidence(Arrays.copyOf(it, k), Arrays.copyOf(w, k)));
            }
        }
        return out;
    }
}

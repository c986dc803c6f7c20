package io.onerec.libtorch.baseline;

import io.onerec.api.ItemPrior;
import io.onerec.api.UserHistory;
import io.onerec.libtorch.Torch;
import it.unimi.dsi.fastutil.ints.IntArrayList;
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
    private final List<SasRecModel> models;
    private final SasRecModel model;
    private final int topK;
    private final double temperature;
    private final boolean excludeHistory;
    /** Keyed by the history's items (an {@link IntArrayList} compares by content). */
    private final ConcurrentHashMap<IntArrayList, Evidence> cache = new ConcurrentHashMap<>();

    /**
     * @param topK           items kept per history, >= 1
     * @param temperature    softmax temperature, > 0 (1 = the model's own distribution)
     * @param excludeHistory leave the history's items out of the evidence
     */
    public SasRecPrior(SasRecModel model, int topK, double temperature, boolean excludeHistory) {
        this(model == null ? null : List.of(model), topK, temperature, excludeHistory);
    }

    /**
     * An ensemble as one prior: the distribution is the softmax of the models' mean log-softmax (as
     * {@link SasRecRecommender} ranks several models), each model reading its own last maxLength items.
     */
    public SasRecPrior(List<SasRecModel> models, int topK, double temperature, boolean excludeHistory) {
        SasRecModel.sharedCatalog(models);
        if (topK < 1) throw new IllegalArgumentException("topK must be >= 1, got " + topK);
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and > 0, got " + temperature);
        }
        this.models = List.copyOf(models);
        this.model = models.getFirst();
        this.topK = Math.min(topK, model.config().items());
        this.temperature = temperature;
        this.excludeHistory = excludeHistory;
    }

    @Override
    public Evidence evidence(UserHistory history) {
        IntArrayList key = keyOf(history);
        Evidence cached = cache.get(key);
        if (cached != null) return cached;
        Evidence e = compute(List.of(key)).getFirst();
        cache.put(key, e);
        return e;
    }

    /** Computes and caches the evidence of these histories, {@code batchSize} at a time. */
    public void precompute(Collection<UserHistory> histories, int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        List<IntArrayList> pending = new ArrayList<>(batchSize);
        for (UserHistory h : histories) {
            IntArrayList key = keyOf(h);
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

    private void store(List<IntArrayList> keys) {
        List<Evidence> evidence = compute(keys);
        for (int i = 0; i < keys.size(); i++) cache.putIfAbsent(keys.get(i), evidence.get(i));
    }

    /** The whole history: each SASRec reads its last maxLength items, and all of them are left out when asked. */
    private IntArrayList keyOf(UserHistory history) {
        int n = model.config().items();
        int[] items = history.items();
        for (int item : items) {
            if (item >= n) throw new IllegalArgumentException("history item " + item + " outside the catalog [0, " + n + ") of user " + history.userId());
        }
        return IntArrayList.wrap(items);
    }

    private List<Evidence> compute(List<IntArrayList> keys) {
        int b = keys.size();
        List<int[]> histories = new ArrayList<>(b);
        for (IntArrayList k : keys) histories.add(k.toIntArray());
        List<Evidence> out = new ArrayList<>(b);
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            Tensor scores = SasRecModel.ensembleScores(models, histories);
            if (temperature != 1) scores = scores.div(Torch.scalar(temperature));
            if (excludeHistory) scores = model.withoutItems(scores, histories);
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

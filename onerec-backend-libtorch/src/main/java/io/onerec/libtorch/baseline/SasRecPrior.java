package io.onerec.libtorch.baseline;

import io.onerec.api.ItemPrior;
import io.onerec.api.UserHistory;
import io.onerec.libtorch.Torch;
import io.onerec.tools.data.UserFolds;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
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
 * training pair cannot leave the pair out: {@link #evidenceForTraining} is {@link #evidence}, and on Beauty a SASRec
 * ranks the next item of a training pair in its top 10 3.6 times as often as a validation item. A
 * {@link #crossFitted cross-fitted} prior answers for each user with a model that was trained without that user's fold
 * ({@link HeldOutFold}), so its evidence is what SASRec predicts for a user it has not seen. Evidence is cached per
 * history (the same windows come back every epoch); {@link #precompute} fills the cache in batches. Thread-safe.
 */
public final class SasRecPrior implements ItemPrior {
    /** The models that answer: one team, or one per fold (the team of fold k never saw fold k's users). */
    private final List<List<SasRecModel>> teams;
    /** null when one team answers for every user. */
    private final UserFolds folds;
    private final SasRecModel model;
    private final int topK;
    private final double temperature;
    private final boolean excludeHistory;
    private final ConcurrentHashMap<Key, Evidence> cache = new ConcurrentHashMap<>();

    /** A history's items (an {@link IntArrayList} compares by content) and the team that answers for its user. */
    private record Key(int team, IntArrayList items) {
    }

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
        this(models == null ? null : List.of(models), null, topK, temperature, excludeHistory);
    }

    private SasRecPrior(List<List<SasRecModel>> teams, UserFolds folds, int topK, double temperature, boolean excludeHistory) {
        if (teams == null || teams.isEmpty()) throw new IllegalArgumentException("no SASRec model");
        List<SasRecModel> all = new ArrayList<>();
        List<List<SasRecModel>> copies = new ArrayList<>();
        for (List<SasRecModel> team : teams) {
            if (team == null || team.isEmpty() || team.stream().anyMatch(Objects::isNull)) throw new IllegalArgumentException("no SASRec model");
            all.addAll(team);
            copies.add(List.copyOf(team));
        }
        SasRecModel.sharedCatalog(all);
        if (topK < 1) throw new IllegalArgumentException("topK must be >= 1, got " + topK);
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be finite and > 0, got " + temperature);
        }
        this.teams = List.copyOf(copies);
        this.folds = folds;
        this.model = all.getFirst();
        this.topK = Math.min(topK, model.config().items());
        this.temperature = temperature;
        this.excludeHistory = excludeHistory;
    }

    /**
     * A cross-fitted prior: {@code byFold.get(k)} was trained without the users of fold k of {@code folds} and answers
     * for them (histories are routed by {@link UserHistory#userId()}, the dense user index the folds were drawn over).
     *
     * @throws IllegalArgumentException unless there is one model per fold
     */
    public static SasRecPrior crossFitted(List<SasRecModel> byFold, UserFolds folds, int topK, double temperature,
                                          boolean excludeHistory) {
        if (folds == null) throw new IllegalArgumentException("folds must not be null");
        if (byFold == null || byFold.size() != folds.count()) {
            throw new IllegalArgumentException("a cross-fitted prior needs one model per fold: " + folds.count() + " folds, "
                    + (byFold == null ? 0 : byFold.size()) + " models");
        }
        List<List<SasRecModel>> teams = new ArrayList<>();
        for (SasRecModel m : byFold) teams.add(m == null ? null : List.of(m));
        return new SasRecPrior(teams, folds, topK, temperature, excludeHistory);
    }

    @Override
    public Evidence evidence(UserHistory history) {
        Key key = keyOf(history);
        Evidence cached = cache.get(key);
        if (cached != null) return cached;
        Evidence e = compute(key.team(), List.of(key)).getFirst();
        cache.put(key, e);
        return e;
    }

    /** Computes and caches the evidence of these histories, {@code batchSize} at a time. */
    public void precompute(Collection<UserHistory> histories, int batchSize) {
        if (batchSize < 1) throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
        List<List<Key>> pending = new ArrayList<>();
        for (int t = 0; t < teams.size(); t++) pending.add(new ArrayList<>(batchSize));
        for (UserHistory h : histories) {
            Key key = keyOf(h);
            if (cache.containsKey(key)) continue;
            List<Key> batch = pending.get(key.team());
            batch.add(key);
            if (batch.size() == batchSize) {
                store(key.team(), batch);
                batch.clear();
            }
        }
        for (int t = 0; t < teams.size(); t++) if (!pending.get(t).isEmpty()) store(t, pending.get(t));
    }

    /** Histories whose evidence is cached. */
    public int cachedHistories() {
        return cache.size();
    }

    private void store(int team, List<Key> keys) {
        List<Evidence> evidence = compute(team, keys);
        for (int i = 0; i < keys.size(); i++) cache.putIfAbsent(keys.get(i), evidence.get(i));
    }

    /** The whole history: each SASRec reads its last maxLength items, and all of them are left out when asked. */
    private Key keyOf(UserHistory history) {
        int n = model.config().items();
        int[] items = history.items();
        for (int item : items) {
            if (item >= n) throw new IllegalArgumentException("history item " + item + " outside the catalog [0, " + n + ") of user " + history.userId());
        }
        return new Key(folds == null ? 0 : folds.of(history.userId()), IntArrayList.wrap(items));
    }

    private List<Evidence> compute(int team, List<Key> keys) {
        int b = keys.size();
        List<int[]> histories = new ArrayList<>(b);
        for (Key k : keys) histories.add(k.items().toIntArray());
        List<SasRecModel> models = teams.get(team);
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

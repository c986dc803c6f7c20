package io.onerec.tools.eval;

import io.onerec.api.ItemPrior;
import io.onerec.api.UserHistory;
import io.onerec.tools.data.LeaveOneOutSplit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * An item-to-item transition table, the simplest sequential baseline: counts {@code c(i -> j)} of every consecutive
 * pair in the training part of each user's sequence ({@link LeaveOneOutSplit#trainSequence}, so no validation or test
 * target is counted), and scores an item {@code j} for a history as
 * <pre>  score(j) = sum over the last {@code window} history items h, at distance d = 1, 2, ... from the end,
 *             of c(h -> j) / c(h -> *) / d</pre>
 * where {@code c(h -> *)} is the number of transitions out of {@code h}. Items with equal score (in particular all
 * items with score 0) are ranked by training popularity ({@link PopularityBaseline}'s order), so every user gets a
 * full ranking. History items are not excluded unless asked, as the generator's evaluation does not exclude them.
 *
 * <p>It is also an {@link ItemPrior}: its scores are the evidence, training popularity plus one the background, so
 * that a generator can decode with the table fused into its beam search ({@link io.onerec.api.PriorFusion}).
 *
 * <p>Immutable and thread-safe after {@link #fit}.
 */
public final class TransitionBaseline implements BatchRecommender, ItemPrior {
    public static final int DEFAULT_WINDOW = 3;

    /** CSR rows: successors of item i are successors[rowStart[i] .. rowStart[i+1]), with their counts. */
    private final int[] rowStart;
    private final int[] successors;
    private final int[] counts;
    /** Transitions out of each item, c(i -> *). */
    private final int[] outCounts;
    private final int[] byPopularity;
    /** Training occurrences of each item. */
    private final int[] popularity;
    /** Position of each item in {@link #byPopularity}: the tie-break, lower is better. */
    private final int[] popularityRank;
    private final int window;
    private final boolean excludeHistory;

    private TransitionBaseline(int[] rowStart, int[] successors, int[] counts, int[] outCounts, int[] byPopularity,
                               int[] popularity, int window, boolean excludeHistory) {
        this.popularity = popularity;
        this.evidenceScratch = ThreadLocal.withInitial(() -> new Scratch(popularity.length));
        this.rowStart = rowStart;
        this.successors = successors;
        this.counts = counts;
        this.outCounts = outCounts;
        this.byPopularity = byPopularity;
        this.popularityRank = new int[byPopularity.length];
        for (int r = 0; r < byPopularity.length; r++) popularityRank[byPopularity[r]] = r;
        this.window = window;
        this.excludeHistory = excludeHistory;
    }

    /** Last {@value #DEFAULT_WINDOW} history items, history not excluded. */
    public static TransitionBaseline fit(LeaveOneOutSplit split) {
        return fit(split, DEFAULT_WINDOW, false);
    }

    /**
     * @param window         how many of the most recent history items vote (>= 1)
     * @param excludeHistory whether items already in the history are left out of the ranking
     */
    public static TransitionBaseline fit(LeaveOneOutSplit split, int window, boolean excludeHistory) {
        return fit(split, window, excludeHistory, false);
    }

    /**
     * @param reversed count each training pair backwards ({@code c(j -> i)} for every {@code i} followed by {@code j}):
     *                 "what is usually bought before this", a second opinion for items with few successors
     */
    public static TransitionBaseline fit(LeaveOneOutSplit split, int window, boolean excludeHistory, boolean reversed) {
        if (!reversed) return fitPairs(split, window, excludeHistory, u -> split.trainSequence(u));
        return fitPairs(split, window, excludeHistory, u -> {
            int[] s = split.trainSequence(u).clone();
            for (int i = 0, j = s.length - 1; i < j; i++, j--) {
                int t = s[i];
                s[i] = s[j];
                s[j] = t;
            }
            return s;
        });
    }

    private static TransitionBaseline fitPairs(LeaveOneOutSplit split, int window, boolean excludeHistory,
                                               java.util.function.IntFunction<int[]> sequence) {
        if (window < 1) throw new IllegalArgumentException("window must be >= 1, got " + window);
        int n = split.itemCount();
        int users = split.data().userCount();
        // Two passes over the pairs: count per source item, then fill the CSR rows and merge duplicate successors.
        int[] pairsFrom = new int[n + 1];
        for (int u = 0; u < users; u++) {
            int[] s = sequence.apply(u);
            for (int t = 0; t + 1 < s.length; t++) pairsFrom[s[t] + 1]++;
        }
        for (int i = 0; i < n; i++) pairsFrom[i + 1] += pairsFrom[i];
        int[] raw = new int[pairsFrom[n]];
        int[] fill = Arrays.copyOf(pairsFrom, n);
        for (int u = 0; u < users; u++) {
            int[] s = sequence.apply(u);
            for (int t = 0; t + 1 < s.length; t++) raw[fill[s[t]]++] = s[t + 1];
        }
        int[] rowStart = new int[n + 1];
        int[] succ = new int[raw.length];
        int[] cnt = new int[raw.length];
        int[] out = new int[n];
        int m = 0;
        for (int i = 0; i < n; i++) {
            rowStart[i] = m;
            Arrays.sort(raw, pairsFrom[i], pairsFrom[i + 1]);
            for (int p = pairsFrom[i]; p < pairsFrom[i + 1]; p++) {
                if (m > rowStart[i] && succ[m - 1] == raw[p]) {
                    cnt[m - 1]++;
                } else {
                    succ[m] = raw[p];
                    cnt[m] = 1;
                    m++;
                }
            }
            out[i] = pairsFrom[i + 1] - pairsFrom[i];
        }
        rowStart[n] = m;
        PopularityBaseline pop = PopularityBaseline.fit(split, false);
        int[] popularity = new int[n];
        for (int i = 0; i < n; i++) popularity[i] = pop.count(i);
        return new TransitionBaseline(rowStart, Arrays.copyOf(succ, m), Arrays.copyOf(cnt, m), out, pop.topItems(n),
                popularity, window, excludeHistory);
    }

    /** Training count of the transition {@code from -> to}. */
    public int count(int from, int to) {
        int i = Arrays.binarySearch(successors, rowStart[from], rowStart[from + 1], to);
        return i >= 0 ? counts[i] : 0;
    }

    /** Training transitions out of {@code from}. */
    public int outCount(int from) {
        return outCounts[from];
    }

    /** The score of every item for this history (0 for items no recent history item leads to). */
    public double[] scores(UserHistory history) {
        double[] score = new double[byPopularity.length];
        accumulate(history, score, null);
        return score;
    }

    /** The items the recent history leads to, with their scores (history items kept or left out as configured). */
    @Override
    public Evidence evidence(UserHistory history) {
        return evidence(history, -1);
    }

    /**
     * Leave-one-out: the table as if this training pair (last history item -> {@code next}) had not been counted, so
     * that a generator trained with the table fused in sees evidence as weak as at serving time, where the pair to
     * predict was never counted.
     */
    @Override
    public Evidence evidenceForTraining(UserHistory history, int next) {
        return evidence(history, next);
    }

    private Evidence evidence(UserHistory history, int heldOutNext) {
        Scratch scratch = evidenceScratch.get(); // catalog-sized, so one per thread rather than one per call
        double[] score = scratch.score;
        int[] touched = scratch.touched;
        int n = accumulate(history, score, touched, heldOutNext);
        int[] seen = excludeHistory ? history.items() : new int[0];
        for (int item : seen) scratch.skip[item] = true; // as in recommend: history left out when asked
        int[] items = new int[n];
        double[] weights = new double[n];
        int k = 0;
        for (int t = 0; t < n; t++) {
            if (scratch.skip[touched[t]]) continue;
            items[k] = touched[t];
            weights[k++] = score[touched[t]];
        }
        for (int t = 0; t < n; t++) score[touched[t]] = 0;
        for (int item : seen) scratch.skip[item] = false;
        return new Evidence(Arrays.copyOf(items, k), Arrays.copyOf(weights, k));
    }

    private final ThreadLocal<Scratch> evidenceScratch;

    /** Training popularity plus one, so that every item keeps some prior mass. */
    @Override
    public double background(int item) {
        return popularity[item] + 1.0;
    }

    /** Adds each voting item's contribution to {@code score}; records first-touched items in {@code touched}. */
    private int accumulate(UserHistory history, double[] score, int[] touched) {
        return accumulate(history, score, touched, -1);
    }

    /** With {@code heldOutNext >= 0}, one count of (last history item -> heldOutNext) is left out, if there is one. */
    private int accumulate(UserHistory history, double[] score, int[] touched, int heldOutNext) {
        int len = history.length(), nTouched = 0;
        for (int d = 1; d <= Math.min(window, len); d++) {
            int h = history.item(len - d);
            if (h >= byPopularity.length) {
                throw new IllegalArgumentException("history item " + h + " outside the catalog [0, " + byPopularity.length + ")");
            }
            boolean holdOut = d == 1 && heldOutNext >= 0 && count(h, heldOutNext) > 0;
            int out = outCounts[h] - (holdOut ? 1 : 0);
            if (out == 0) continue;
            double w = 1.0 / out / d;
            for (int p = rowStart[h]; p < rowStart[h + 1]; p++) {
                int j = successors[p];
                int c = counts[p] - (holdOut && j == heldOutNext ? 1 : 0);
                if (c == 0) continue;
                if (touched != null && score[j] == 0) touched[nTouched++] = j;
                score[j] += c * w;
            }
        }
        return nTouched;
    }

    /** The top {@code topK} items: by score, ties and the unscored rest by training popularity. */
    public int[] recommend(UserHistory history, int topK) {
        return new Scratch(byPopularity.length).recommend(history, topK);
    }

    @Override
    public List<int[]> recommend(List<UserHistory> histories, int topK) {
        Scratch scratch = new Scratch(byPopularity.length); // one set of catalog-sized arrays per batch
        List<int[]> out = new ArrayList<>(histories.size());
        for (UserHistory h : histories) out.add(scratch.recommend(h, topK));
        return out;
    }

    /** Catalog-sized work arrays, reset after each user by clearing only the entries that user touched. */
    private final class Scratch {
        final double[] score;
        final int[] touched;
        final boolean[] skip;

        Scratch(int n) {
            score = new double[n];
            touched = new int[n];
            skip = new boolean[n];
        }

        int[] recommend(UserHistory history, int topK) {
            int n = byPopularity.length;
            int nTouched = accumulate(history, score, touched);
            int[] seen = excludeHistory ? history.items() : new int[0];
            for (int item : seen) skip[item] = true;
            Integer[] cand = new Integer[nTouched];
            int ns = 0;
            for (int t = 0; t < nTouched; t++) if (!skip[touched[t]]) cand[ns++] = touched[t];
            Arrays.sort(cand, 0, ns, (a, b) -> score[a] != score[b] ? Double.compare(score[b], score[a])
                    : Integer.compare(popularityRank[a], popularityRank[b]));
            int[] out = new int[Math.min(topK, n)];
            int k = 0;
            for (int i = 0; i < ns && k < out.length; i++) {
                out[k++] = cand[i];
                skip[cand[i]] = true;
            }
            for (int i = 0; i < n && k < out.length; i++) {
                if (!skip[byPopularity[i]]) out[k++] = byPopularity[i];
            }
            for (int t = 0; t < nTouched; t++) {
                score[touched[t]] = 0;
                skip[touched[t]] = false;
            }
            for (int item : seen) skip[item] = false;
            return k == out.length ? out : Arrays.copyOf(out, k);
        }
    }
}

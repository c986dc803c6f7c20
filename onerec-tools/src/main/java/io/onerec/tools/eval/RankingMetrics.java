package io.onerec.tools.eval;

import java.util.Arrays;

/**
 * Recall@K and NDCG@K for next-item prediction with one held-out target per user, averaged over users (the
 * S3-Rec/TIGER definitions). With a single relevant item, Recall@K is 1 when the target is among the first K
 * recommendations, and NDCG@K is {@code 1 / log2(rank + 2)} for its 0-based rank when {@code rank < K}, else 0
 * (the ideal DCG is 1).
 *
 * <p>A recommendation list is ordered item indices, best first. It may be shorter than K (missing slots are misses);
 * duplicate or negative items are an error, because they would let a model count one guess twice.
 *
 * <p>An accumulator: {@link #add} each user, then read the means. Not thread-safe.
 */
public final class RankingMetrics {
    private static final double LN2 = Math.log(2);

    private final int[] ks;
    private final double[] recallSum;
    private final double[] ndcgSum;
    private long count;

    public RankingMetrics(int... ks) {
        if (ks.length == 0) {
            throw new IllegalArgumentException("need at least one cutoff K");
        }
        int[] sorted = ks.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < sorted.length; i++) {
            if (sorted[i] < 1) throw new IllegalArgumentException("cutoff K must be >= 1, got " + sorted[i]);
            if (i > 0 && sorted[i] == sorted[i - 1]) throw new IllegalArgumentException("cutoff K=" + sorted[i] + " given twice");
        }
        this.ks = sorted;
        this.recallSum = new double[sorted.length];
        this.ndcgSum = new double[sorted.length];
    }

    /**
     * 0-based position of the target in the ranked list, or -1 when absent. Checks the whole list for duplicates
     * and negative items.
     */
    public static int rankOf(int[] ranked, int target) {
        int rank = -1;
        // Sorting a copy finds duplicates in O(n log n) without a hash set; lists are short (K or beam width).
        int[] sorted = ranked.clone();
        Arrays.sort(sorted);
        if (sorted.length > 0 && sorted[0] < 0) {
            throw new IllegalArgumentException("recommendation list contains negative item " + sorted[0]);
        }
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] == sorted[i - 1]) {
                throw new IllegalArgumentException("recommendation list contains item " + sorted[i] + " more than once");
            }
        }
        for (int i = 0; i < ranked.length; i++) {
            if (ranked[i] == target) {
                rank = i;
                break;
            }
        }
        return rank;
    }

    /** 1 when the target is in the first k recommendations, else 0. */
    public static double recall(int[] ranked, int target, int k) {
        int r = rankOf(ranked, target);
        return r >= 0 && r < k ? 1.0 : 0.0;
    }

    /** {@code 1/log2(rank+2)} when the target's 0-based rank is below k, else 0. */
    public static double ndcg(int[] ranked, int target, int k) {
        return ndcgOfRank(rankOf(ranked, target), k);
    }

    static double ndcgOfRank(int rank, int k) {
        return rank >= 0 && rank < k ? LN2 / Math.log(rank + 2) : 0.0;
    }

    /** Adds one user's recommendations and held-out target. */
    public void add(int[] ranked, int target) {
        int r = rankOf(ranked, target);
        for (int i = 0; i < ks.length; i++) {
            if (r >= 0 && r < ks[i]) {
                recallSum[i] += 1;
                ndcgSum[i] += ndcgOfRank(r, ks[i]);
            }
        }
        count++;
    }

    /** Cutoffs, ascending. */
    public int[] ks() {
        return ks.clone();
    }

    public int maxK() {
        return ks[ks.length - 1];
    }

    public long count() {
        return count;
    }

    public double recall(int k) {
        return mean(recallSum, k);
    }

    public double ndcg(int k) {
        return mean(ndcgSum, k);
    }

    private double mean(double[] sums, int k) {
        int i = Arrays.binarySearch(ks, k);
        if (i < 0) throw new IllegalArgumentException("K=" + k + " is not tracked; cutoffs are " + Arrays.toString(ks));
        return count == 0 ? Double.NaN : sums[i] / count;
    }
}

package io.onerec.tools.eval;

import io.onerec.api.UserHistory;
import io.onerec.tools.data.LeaveOneOutSplit;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Recommends the items with the most training interactions: the floor every model must clear. Counts come from
 * the training parts of the split only ({@link LeaveOneOutSplit#trainItemCounts()}), so no validation or test target
 * leaks in. Ties go to the lower item index. Optionally skips items already in the user's history.
 */
public final class PopularityBaseline implements BatchRecommender {
    private final int[] byPopularity;
    private final int[] counts;
    private final boolean excludeHistory;

    private PopularityBaseline(int[] counts, boolean excludeHistory) {
        this.counts = counts.clone();
        Integer[] order = new Integer[counts.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> counts[a] != counts[b] ? Integer.compare(counts[b], counts[a]) : Integer.compare(a, b));
        this.byPopularity = Arrays.stream(order).mapToInt(Integer::intValue).toArray();
        this.excludeHistory = excludeHistory;
    }

    /** Popularity over the split's training interactions; history items are excluded from recommendations. */
    public static PopularityBaseline fit(LeaveOneOutSplit split) {
        return fit(split, true);
    }

    public static PopularityBaseline fit(LeaveOneOutSplit split, boolean excludeHistory) {
        return new PopularityBaseline(split.trainItemCounts(), excludeHistory);
    }

    /** Training interaction count of an item. */
    public int count(int item) {
        return counts[item];
    }

    /** The k most popular items, most popular first. */
    public int[] topItems(int k) {
        return Arrays.copyOf(byPopularity, Math.min(k, byPopularity.length));
    }

    public int[] recommend(UserHistory history, int topK) {
        if (!excludeHistory) {
            return topItems(topK);
        }
        int[] seen = history.items();
        Arrays.sort(seen);
        int[] out = new int[Math.min(topK, byPopularity.length)];
        int n = 0;
        for (int i = 0; i < byPopularity.length && n < out.length; i++) {
            if (Arrays.binarySearch(seen, byPopularity[i]) < 0) out[n++] = byPopularity[i];
        }
        return n == out.length ? out : Arrays.copyOf(out, n);
    }

    @Override
    public List<int[]> recommend(List<UserHistory> histories, int topK) {
        List<int[]> out = new ArrayList<>(histories.size());
        for (UserHistory h : histories) out.add(recommend(h, topK));
        return out;
    }
}

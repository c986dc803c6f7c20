package io.onerec.tools.reward;

import io.onerec.api.reward.RewardExample;
import java.util.List;

/**
 * The yardstick of a reward model: an item's rate of positive labels for one objective in the training examples,
 * smoothed as {@code (pos + 1) / (shown + 2)} (unseen items score 1/2); a session scores the mean over its items.
 * It knows nothing about the user, so a reward model that does not beat it has learnt nothing personal.
 */
public final class ItemRateBaseline {
    private final double[] positives, shown;

    private ItemRateBaseline(double[] positives, double[] shown) {
        this.positives = positives;
        this.shown = shown;
    }

    /** Counts the labels of {@code objective} per item over {@code examples} (items in {@code [0, itemCount)}). */
    public static ItemRateBaseline fit(List<RewardExample> examples, int itemCount, int objective) {
        double[] pos = new double[itemCount], shown = new double[itemCount];
        for (RewardExample e : examples) {
            for (int item : e.items()) {
                if (item < 0 || item >= itemCount) throw new IllegalArgumentException("item " + item + " outside [0, " + itemCount + ")");
                pos[item] += e.label(objective);
                shown[item]++;
            }
        }
        return new ItemRateBaseline(pos, shown);
    }

    public double score(int[] session) {
        if (session.length == 0) throw new IllegalArgumentException("empty session");
        double s = 0;
        for (int item : session) {
            if (item < 0 || item >= shown.length) throw new IllegalArgumentException("unknown item " + item + " (baseline knows " + shown.length + " items)");
            s += (positives[item] + 1) / (shown[item] + 2);
        }
        return s / session.length;
    }
}

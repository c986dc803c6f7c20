package io.onerec.api.reward;

import io.onerec.api.UserHistory;

/**
 * One logged session for reward-model training: the user's history when it was shown, its items, and one binary
 * label per objective (in the model's objective order).
 */
public record RewardExample(UserHistory user, int[] items, float[] labels) {
    public RewardExample {
        if (user == null) throw new IllegalArgumentException("user must not be null");
        if (items == null || items.length == 0) throw new IllegalArgumentException("a session holds at least one item");
        for (float y : labels) {
            if (!(y >= 0 && y <= 1)) throw new IllegalArgumentException("label " + y + " outside [0, 1]");
        }
        items = items.clone();
        labels = labels.clone();
    }

    @Override
    public int[] items() {
        return items.clone();
    }

    @Override
    public float[] labels() {
        return labels.clone();
    }

    public float label(int objective) {
        return labels[objective];
    }
}

package io.onerec.tools.sim;

import io.onerec.api.UserHistory;

/**
 * A session shown to a user with its logged feedback.
 *
 * @param user          the user's history when the session was shown
 * @param items         the session's items
 * @param labels        [objective] 1 when the feedback happened (drawn), else 0
 * @param probabilities [objective] the simulator's ground-truth probability of that feedback
 */
public record LoggedSession(UserHistory user, int[] items, float[] labels, double[] probabilities) {
    public LoggedSession {
        if (items == null || items.length == 0) throw new IllegalArgumentException("a session holds at least one item");
        if (labels.length != probabilities.length) throw new IllegalArgumentException("labels and probabilities differ in length");
        items = items.clone();
        labels = labels.clone();
        probabilities = probabilities.clone();
    }

    @Override
    public int[] items() {
        return items.clone();
    }

    @Override
    public float[] labels() {
        return labels.clone();
    }

    @Override
    public double[] probabilities() {
        return probabilities.clone();
    }

    public float label(int objective) {
        return labels[objective];
    }

    public double probability(int objective) {
        return probabilities[objective];
    }

    /** The session as a reward-model training example (labels only; the probabilities stay hidden). */
    public io.onerec.api.reward.RewardExample toExample() {
        return new io.onerec.api.reward.RewardExample(user, items, labels);
    }
}

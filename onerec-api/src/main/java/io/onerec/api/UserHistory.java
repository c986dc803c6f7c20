package io.onerec.api;

/**
 * A user's interaction history: dense item indices, oldest first, optionally with the user's explicit feedback on
 * each item.
 *
 * @param userId   an opaque user identifier (hashed into a user token by generators that use one)
 * @param items    item indices in time order; never null, may be empty
 * @param feedback the user's feedback on each item in [0, 1] (e.g. 1 = liked, 0 = not liked, or a rating scaled to
 *                 [0, 1]), one per item; empty when the history carries no feedback. Generators ignore it; the
 *                 reward model reads it when its config has {@code historyFeedback} (docs/reward-model.md).
 */
public record UserHistory(long userId, int[] items, float[] feedback) {
    private static final float[] NO_FEEDBACK = new float[0];

    public UserHistory {
        if (items == null) {
            throw new IllegalArgumentException("items must not be null (use an empty array)");
        }
        for (int i = 0; i < items.length; i++) {
            if (items[i] < 0) {
                throw new IllegalArgumentException("negative item index " + items[i] + " at position " + i + " of user " + userId);
            }
        }
        items = items.clone();
        if (feedback == null || feedback.length == 0) {
            feedback = NO_FEEDBACK;
        } else {
            if (feedback.length != items.length) {
                throw new IllegalArgumentException("user " + userId + " has " + items.length + " history items but "
                        + feedback.length + " feedback values");
            }
            for (int i = 0; i < feedback.length; i++) {
                if (!(feedback[i] >= 0 && feedback[i] <= 1)) {
                    throw new IllegalArgumentException("feedback " + feedback[i] + " outside [0, 1] at position " + i + " of user " + userId);
                }
            }
            feedback = feedback.clone();
        }
    }

    /** A history without feedback. */
    public UserHistory(long userId, int[] items) {
        this(userId, items, null);
    }

    @Override
    public int[] items() {
        return items.clone();
    }

    /** The feedback per item, or an empty array when the history carries none. */
    @Override
    public float[] feedback() {
        return feedback.length == 0 ? NO_FEEDBACK : feedback.clone();
    }

    public int length() {
        return items.length;
    }

    public int item(int i) {
        return items[i];
    }

    /** Whether every item carries the user's feedback. An empty history has none. */
    public boolean hasFeedback() {
        return feedback.length > 0;
    }

    /** The feedback on item {@code i}; only when {@link #hasFeedback()}. */
    public float feedback(int i) {
        if (feedback.length == 0) throw new IllegalStateException("the history of user " + userId + " carries no feedback");
        return feedback[i];
    }

    /** The most recent {@code max} items (all of them when there are fewer), with their feedback. */
    public UserHistory lastItems(int max) {
        if (items.length <= max) {
            return this;
        }
        int[] tail = new int[max];
        System.arraycopy(items, items.length - max, tail, 0, max);
        float[] fb = null;
        if (feedback.length > 0) {
            fb = new float[max];
            System.arraycopy(feedback, feedback.length - max, fb, 0, max);
        }
        return new UserHistory(userId, tail, fb);
    }
}

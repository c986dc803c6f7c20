package io.onerec.tools.data;

import io.onerec.api.UserHistory;

/**
 * One next-item prediction example: given the history, the item that came next.
 *
 * @param history  the user's preceding items (possibly truncated to the most recent ones); its userId is the dense
 *                 user index of the {@link InteractionSequences}
 * @param target   the dense item index that followed
 * @param position index of the target in the user's full sequence, e.g. to look up its rating
 */
public record NextItemExample(UserHistory history, int target, int position) {
    public NextItemExample {
        if (history == null) {
            throw new IllegalArgumentException("history must not be null");
        }
        if (target < 0) {
            throw new IllegalArgumentException("negative target item " + target);
        }
    }

    /** Dense user index. */
    public int user() {
        return (int) history.userId();
    }
}

package io.onerec.api;

/**
 * A user's interaction history: dense item indices, oldest first.
 *
 * @param userId an opaque user identifier (hashed into a user token by generators that use one)
 * @param items  item indices in time order; never null, may be empty
 */
public record UserHistory(long userId, int[] items) {
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
    }

    @Override
    public int[] items() {
        return items.clone();
    }

    public int length() {
        return items.length;
    }

    public int item(int i) {
        return items[i];
    }

    /** The most recent {@code max} items (all of them when there are fewer). */
    public UserHistory lastItems(int max) {
        if (items.length <= max) {
            return this;
        }
        int[] tail = new int[max];
        System.arraycopy(items, items.length - max, tail, 0, max);
        return new UserHistory(userId, tail);
    }
}

package io.onerec.tools.data;

import io.onerec.api.UserHistory;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Per-user item sequences over a dense item index {@code 0..itemCount-1}, oldest interaction first, with the mapping
 * back to the raw item and user ids of the source files. Users are dense too: user {@code u} is the u-th sequence and
 * {@link #history(int)} uses {@code u} as the {@link UserHistory#userId()}.
 *
 * <p>Optionally carries one rating per interaction (MovieLens), aligned with the sequences; later stages use it as
 * an observed reward signal.
 *
 * <p>Immutable; accessors return copies of arrays.
 */
public final class InteractionSequences {
    private final String name;
    private final int[][] sequences;
    private final float[][] ratings;
    private final String[] userIds;
    private final String[] itemIds;
    private final Map<String, Integer> itemIndex;
    private final long interactionCount;

    /**
     * @param name      a short label for logs, e.g. "amazon-beauty"
     * @param sequences dense item indices per user, oldest first
     * @param ratings   one rating per interaction aligned with {@code sequences}, or null when the data has none
     * @param userIds   raw user id of each user (same length as sequences)
     * @param itemIds   raw item id of each dense item index; distinct
     */
    public InteractionSequences(String name, int[][] sequences, float[][] ratings, String[] userIds, String[] itemIds) {
        if (sequences.length != userIds.length) {
            throw new IllegalArgumentException(sequences.length + " sequences but " + userIds.length + " user ids");
        }
        if (ratings != null && ratings.length != sequences.length) {
            throw new IllegalArgumentException(sequences.length + " sequences but " + ratings.length + " rating rows");
        }
        Map<String, Integer> index = new HashMap<>(itemIds.length * 2);
        for (int i = 0; i < itemIds.length; i++) {
            if (index.put(itemIds[i], i) != null) {
                throw new IllegalArgumentException("raw item id '" + itemIds[i] + "' appears twice in the item mapping");
            }
        }
        int[][] seqs = new int[sequences.length][];
        float[][] rats = ratings == null ? null : new float[ratings.length][];
        long total = 0;
        for (int u = 0; u < sequences.length; u++) {
            seqs[u] = sequences[u].clone();
            for (int item : seqs[u]) {
                if (item < 0 || item >= itemIds.length) {
                    throw new IllegalArgumentException("user " + userIds[u] + " has item index " + item + " outside [0, " + itemIds.length + ")");
                }
            }
            if (rats != null) {
                if (ratings[u].length != seqs[u].length) {
                    throw new IllegalArgumentException("user " + userIds[u] + " has " + seqs[u].length + " items but " + ratings[u].length + " ratings");
                }
                rats[u] = ratings[u].clone();
            }
            total += seqs[u].length;
        }
        this.name = name;
        this.sequences = seqs;
        this.ratings = rats;
        this.userIds = userIds.clone();
        this.itemIds = itemIds.clone();
        this.itemIndex = index;
        this.interactionCount = total;
    }

    public String name() {
        return name;
    }

    public int userCount() {
        return sequences.length;
    }

    public int itemCount() {
        return itemIds.length;
    }

    public long interactionCount() {
        return interactionCount;
    }

    /** The user's dense item indices, oldest first (a copy). */
    public int[] sequence(int user) {
        return sequences[user].clone();
    }

    public int length(int user) {
        return sequences[user].length;
    }

    /** The user's whole sequence as a history whose userId is the dense user index. */
    public UserHistory history(int user) {
        return new UserHistory(user, sequences[user]);
    }

    public boolean hasRatings() {
        return ratings != null;
    }

    /** Ratings aligned with {@link #sequence(int)}; throws when the data set has none. */
    public float[] ratings(int user) {
        if (ratings == null) {
            throw new IllegalStateException(name + " has no ratings");
        }
        return ratings[user].clone();
    }

    public String rawUserId(int user) {
        return userIds[user];
    }

    public String rawItemId(int item) {
        return itemIds[item];
    }

    /** Dense index of a raw item id, empty when the id is not in the data. */
    public OptionalInt itemIndex(String rawItemId) {
        Integer i = itemIndex.get(rawItemId);
        return i == null ? OptionalInt.empty() : OptionalInt.of(i);
    }

    /** Interactions per item over all users (the whole data, including held-out targets). */
    public int[] itemFrequencies() {
        int[] counts = new int[itemIds.length];
        for (int[] s : sequences) {
            for (int item : s) counts[item]++;
        }
        return counts;
    }

    @Override
    public String toString() {
        return "InteractionSequences[" + name + ": " + userCount() + " users, " + itemCount() + " items, "
                + interactionCount + " interactions" + (ratings != null ? ", with ratings" : "") + "]";
    }

    /**
     * Dense ids for raw ids: ascending numeric order when every id is an integer (so ids exactly 1..N map to
     * id-1), otherwise ascending string order. Deterministic, so the same file always gives the same index.
     */
    static String[] denseOrder(java.util.Collection<String> rawIds, java.nio.file.Path file, String what) {
        String[] ids = rawIds.toArray(String[]::new);
        boolean numeric = true;
        for (String id : ids) {
            if (!isLong(id)) {
                numeric = false;
                break;
            }
        }
        if (numeric) {
            Arrays.sort(ids, (a, b) -> Long.compare(Long.parseLong(a), Long.parseLong(b)));
            // "007" and "7" would otherwise become two items that sort as one number: refuse to guess.
            for (int i = 1; i < ids.length; i++) {
                if (Long.parseLong(ids[i - 1]) == Long.parseLong(ids[i])) {
                    throw new io.onerec.api.DataFileException(file + ": " + what + " ids '" + abbreviate(ids[i - 1]) + "' and '"
                            + abbreviate(ids[i]) + "' are the same number written differently (leading zeros?)");
                }
            }
        } else {
            Arrays.sort(ids);
        }
        return ids;
    }

    /** Whether {@code s} is a decimal integer without sign that fits a long (up to 19 digits). */
    static boolean isLong(String s) {
        if (s.isEmpty() || s.length() > 19) return false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') return false;
        }
        if (s.length() < 19) return true;
        try {
            Long.parseLong(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** A token as quoted in an error message: long ones cut, so a corrupt 100 MB token does not fill the log. */
    static String abbreviate(String token) {
        return token.length() <= 64 ? token : token.substring(0, 64) + "... (" + token.length() + " chars)";
    }
}

package io.onerec.tools.data;

/**
 * Users split into {@code count} folds by a seeded hash of the user id, for cross-fitting: a model trained without
 * fold k can speak about fold k's users as it would about users it has never seen. Deterministic, and independent of
 * the order in which users are visited; each fold holds about {@code 1 / count} of the users.
 *
 * @param count folds, >= 2
 * @param seed  the hash's seed: the same seed gives the same folds
 */
public record UserFolds(int count, long seed) {
    public UserFolds {
        if (count < 2) throw new IllegalArgumentException("folds must be >= 2, got " + count);
    }

    /** The fold of {@code user}, in [0, count). */
    public int of(long user) {
        return (int) Long.remainderUnsigned(mix(user ^ mix(seed)), count);
    }

    /** Checks that {@code fold} names one of these folds. */
    public int checkFold(int fold) {
        if (fold < 0 || fold >= count) throw new IllegalArgumentException("fold " + fold + " outside [0, " + count + ")");
        return fold;
    }

    /** SplitMix64's finaliser: neighbouring ids land in unrelated folds. */
    private static long mix(long z) {
        z += 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

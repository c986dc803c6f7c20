package io.onerec.api.thinkahead;

import io.onerec.api.SemanticId;

import java.util.Optional;
import java.util.Set;

/**
 * Where Think-Ahead's offline job leaves each user's SID prefix set for the online generator. Implementations may
 * be a file, a key-value store, a cache; they must be safe for concurrent reads.
 */
public interface PrefixStore extends AutoCloseable {

    /** Records (replacing) the prefix set of a user; all prefixes must have the same length. */
    void put(long userId, Set<SemanticId> prefixes);

    /** The user's prefix set, or empty when the offline job has not covered the user. */
    Optional<Set<SemanticId>> get(long userId);

    /** Number of users with a prefix set. */
    int size();

    /** Makes everything put so far durable (a no-op for stores that write through). */
    default void flush() {
    }

    @Override
    default void close() {
        flush();
    }
}

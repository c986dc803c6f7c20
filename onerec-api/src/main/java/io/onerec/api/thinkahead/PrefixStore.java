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

    /**
     * The {@link io.onerec.api.SemanticIdCodec#fingerprint() fingerprint} of the codec the stored prefixes were
     * computed for; empty when the store does not record one.
     */
    default Optional<String> codecFingerprint() {
        return Optional.empty();
    }

    /**
     * Records the codec the prefixes put from now on are computed for ({@link ThinkAheadJob} calls it before it
     * runs). Binding again to the same codec does nothing.
     *
     * @throws StalePrefixesException when the store holds prefixes of another codec, or of an unrecorded one
     */
    default void bindCodec(String fingerprint) {
        throw new UnsupportedOperationException(getClass().getName() + " does not record the codec of its prefixes");
    }

    /** Makes everything put so far durable (a no-op for stores that write through). */
    default void flush() {
    }

    @Override
    default void close() {
        flush();
    }
}

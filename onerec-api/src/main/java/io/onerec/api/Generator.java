package io.onerec.api;

import java.nio.file.Path;
import java.util.List;

/**
 * The OneRec generator: an encoder-decoder that reads a user's history and emits items as semantic IDs,
 * decoded by beam search constrained to valid SIDs. Implementations are thread-safe for concurrent
 * {@code generate} calls.
 */
public interface Generator extends AutoCloseable {

    /**
     * Top sessions for one user, best first: {@code beamWidth} of them, or fewer when the constrained beam runs out of
     * allowed continuations (a small catalog or prefix set, or sessions whose remaining choices are all repeats).
     */
    default List<GeneratedSession> generate(UserHistory user, DecodingOptions config) {
        java.util.Objects.requireNonNull(user, "user must not be null");
        return generateBatch(List.of(user), config).getFirst();
    }

    /** Batched decoding: one list of sessions per user, in input order. */
    List<List<GeneratedSession>> generateBatch(List<UserHistory> users, DecodingOptions config);

    /**
     * Batched decoding where each user also has an own filter on top of {@code config}'s (Think-Ahead's per-user
     * prefixes): the same sessions as decoding each user alone with {@code config.withFilter(config.filter().and(f))}.
     * This default does exactly that, one user at a time; backends override it to decode the users together.
     *
     * @param userFilters one filter per user, in user order
     */
    default List<List<GeneratedSession>> generateBatch(List<UserHistory> users, DecodingOptions config, List<ItemFilter> userFilters) {
        java.util.Objects.requireNonNull(users, "users must not be null");
        if (userFilters.size() != users.size()) throw new IllegalArgumentException(userFilters.size() + " user filters for " + users.size() + " users");
        List<List<GeneratedSession>> out = new java.util.ArrayList<>(users.size());
        for (int i = 0; i < users.size(); i++) {
            out.add(generateBatch(List.of(users.get(i)), config.withFilter(config.filter().and(userFilters.get(i)))).getFirst());
        }
        return out;
    }

    /**
     * The codec whose SIDs this generator emits; for a generator over a changing catalog, its current snapshot (each
     * request decodes against the snapshot current when it starts).
     */
    SemanticIdCodec codec();

    /** Writes the generator's weights and config as a checkpoint directory. */
    void save(Path dir);

    /**
     * Releases native resources and threads, if any. After close, every {@code generate}/{@code generateBatch}
     * call fails with an {@link IllegalStateException}; closing again does nothing, from any thread.
     */
    @Override
    default void close() {
    }
}

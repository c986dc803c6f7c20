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

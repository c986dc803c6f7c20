package io.onerec.api;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * OneRec-Think: a decoder-only language model over text and SID tokens that reasons about a user before
 * naming items. Think-Ahead runs it offline to choose SID prefixes that the online generator decodes under.
 */
public interface Reasoner extends AutoCloseable {

    /**
     * Samples {@code paths} reasoning paths for the user; after each, beam-searches the first
     * {@code prefixLength} SID codes keeping {@code prefixesPerPath} prefixes.
     */
    List<ReasoningPath> reason(UserHistory user, int paths, int prefixesPerPath, int prefixLength, long seed);

    /** Think-Ahead prefix set: the union of the (c1, c2) prefixes over {@code paths} sampled paths. */
    default Set<SemanticId> thinkAhead(UserHistory user, int paths, int prefixesPerPath, long seed) {
        Set<SemanticId> union = new LinkedHashSet<>();
        for (ReasoningPath p : reason(user, paths, prefixesPerPath, 2, seed)) {
            union.addAll(p.prefixes());
        }
        return union;
    }

    /**
     * The reasoner as a recommender on its own: after each of {@code paths} sampled reasoning paths, beam-search full
     * SIDs with width {@code beam}; an item's score is its best log-probability over the paths; the top {@code k}
     * items, best first.
     */
    int[] recommend(UserHistory user, int paths, int beam, int k, long seed);

    /** The codec whose SID tokens extend the reasoner's vocabulary. */
    SemanticIdCodec codec();

    void save(Path dir);

    @Override
    default void close() {
    }
}

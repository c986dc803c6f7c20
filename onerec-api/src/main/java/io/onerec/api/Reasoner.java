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
     * Samples {@code options.paths()} reasoning paths for the user; after each, beam-searches the first
     * {@code options.prefixLength()} SID codes keeping {@code options.beamWidth()} prefixes, best first.
     */
    List<ReasoningPath> reason(UserHistory user, ReasoningOptions options);

    /**
     * Think-Ahead prefix set: the union of the (c1, c2) prefixes over the sampled paths (the options' prefix length
     * is replaced by {@value ReasoningOptions#THINK_AHEAD_PREFIX_LENGTH}).
     */
    default Set<SemanticId> thinkAhead(UserHistory user, ReasoningOptions options) {
        Set<SemanticId> union = new LinkedHashSet<>();
        for (ReasoningPath p : reason(user, options.withPrefixLength(ReasoningOptions.THINK_AHEAD_PREFIX_LENGTH))) {
            union.addAll(p.prefixes());
        }
        return union;
    }

    /**
     * The reasoner as a recommender on its own: after each sampled reasoning path, beam-search full SIDs with width
     * {@code options.beamWidth()}; an item's score is its best log-probability over the paths; the top {@code k}
     * items, best first.
     */
    List<ScoredItem> recommend(UserHistory user, ReasoningOptions options, int k);

    /** The codec whose SID tokens extend the reasoner's vocabulary. */
    SemanticIdCodec codec();

    void save(Path dir);

    @Override
    default void close() {
    }
}

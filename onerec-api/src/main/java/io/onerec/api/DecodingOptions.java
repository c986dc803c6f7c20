package io.onerec.api;

import java.util.Set;

/**
 * How a generator decodes.
 *
 * @param beamWidth        beams kept per step; also the number of sessions returned. At most
 *                         {@value #MAX_BEAM_WIDTH}; a search keeps no more beams than the catalog has distinct
 *                         sessions (so for one item per session, at most the catalog size)
 * @param itemsPerSession  items decoded per session (m in OneRec); 1 gives next-item recommendation
 * @param allowedPrefixes  when non-empty, only items whose SID starts with one of these prefixes may be
 *                         generated (Think-Ahead); all prefixes must have the same length
 * @param excludeHistory   when true, items in the user's history are never generated
 * @param filter           request-time business rules (blocklist, availability, allowed categories) applied inside
 *                         the constrained search, on top of the prefixes and history exclusion
 * @param fusion           an external item prior fused into the search scores (shallow fusion), or null for none
 * @param codeSoftmax      what each code's log-probability is normalised over (null: {@link CodeSoftmax#CODEBOOK})
 */
public record DecodingOptions(int beamWidth, int itemsPerSession, Set<SemanticId> allowedPrefixes, boolean excludeHistory,
                              ItemFilter filter, PriorFusion fusion, CodeSoftmax codeSoftmax) {
    /** Widest beam accepted: each beam slot holds a decoder cache, so memory grows linearly with the width. */
    public static final int MAX_BEAM_WIDTH = 4096;

    /**
     * The normaliser of the generator's per-code log-probabilities (docs/generator-model.md, "Head normalisation").
     * History exclusion, request filters, prefixes and fusion apply on top of either; they never change it.
     */
    public enum CodeSoftmax {
        /**
         * Softmax over the level's whole codebook, as the model is trained: every one of the K logits is computed at
         * every step, although the trie allows only a few of them after a prefix.
         */
        CODEBOOK,
        /**
         * Softmax over the codes the prefix trie allows after the beam's prefix (at the first level, the codes that
         * start some item): exp(log-prob) sums to 1 over each trie node's children. Only those children's logits are
         * computed (a sparse head), so below the first level the head costs children x d instead of K x d per beam.
         * The scores differ from {@link #CODEBOOK}'s: each node's codes are shifted by the log of the probability mass
         * the codebook softmax put on codes the trie does not allow there.
         */
        TRIE
    }

    public DecodingOptions {
        if (beamWidth < 1 || beamWidth > MAX_BEAM_WIDTH) {
            throw new IllegalArgumentException("beamWidth must be in [1, " + MAX_BEAM_WIDTH + "], got " + beamWidth);
        }
        if (itemsPerSession < 1) {
            throw new IllegalArgumentException("itemsPerSession must be >= 1, got " + itemsPerSession);
        }
        allowedPrefixes = allowedPrefixes == null ? Set.of() : Set.copyOf(allowedPrefixes);
        int len = -1;
        for (SemanticId p : allowedPrefixes) {
            if (len >= 0 && p.length() != len) {
                throw new IllegalArgumentException("allowed prefixes have mixed lengths " + len + " and " + p.length());
            }
            len = p.length();
        }
        if (filter == null) filter = ItemFilter.none();
        if (codeSoftmax == null) codeSoftmax = CodeSoftmax.CODEBOOK;
    }

    /** Options with the codebook softmax. */
    public DecodingOptions(int beamWidth, int itemsPerSession, Set<SemanticId> allowedPrefixes, boolean excludeHistory,
                           ItemFilter filter, PriorFusion fusion) {
        this(beamWidth, itemsPerSession, allowedPrefixes, excludeHistory, filter, fusion, CodeSoftmax.CODEBOOK);
    }

    /** Options without a request filter. */
    public DecodingOptions(int beamWidth, int itemsPerSession, Set<SemanticId> allowedPrefixes, boolean excludeHistory) {
        this(beamWidth, itemsPerSession, allowedPrefixes, excludeHistory, ItemFilter.none());
    }

    /** Options without prior fusion. */
    public DecodingOptions(int beamWidth, int itemsPerSession, Set<SemanticId> allowedPrefixes, boolean excludeHistory,
                           ItemFilter filter) {
        this(beamWidth, itemsPerSession, allowedPrefixes, excludeHistory, filter, null);
    }

    /** Next-item recommendation with {@code beamWidth} beams, no restriction. */
    public static DecodingOptions beams(int beamWidth) {
        return new DecodingOptions(beamWidth, 1, Set.of(), false);
    }

    public DecodingOptions withItemsPerSession(int m) {
        return new DecodingOptions(beamWidth, m, allowedPrefixes, excludeHistory, filter, fusion, codeSoftmax);
    }

    public DecodingOptions withAllowedPrefixes(Set<SemanticId> prefixes) {
        return new DecodingOptions(beamWidth, itemsPerSession, prefixes, excludeHistory, filter, fusion, codeSoftmax);
    }

    public DecodingOptions withExcludeHistory(boolean exclude) {
        return new DecodingOptions(beamWidth, itemsPerSession, allowedPrefixes, exclude, filter, fusion, codeSoftmax);
    }

    /** The same options with this request filter (replacing any earlier one; combine filters with {@link ItemFilter#and}). */
    public DecodingOptions withFilter(ItemFilter f) {
        return new DecodingOptions(beamWidth, itemsPerSession, allowedPrefixes, excludeHistory, f, fusion, codeSoftmax);
    }

    /** The same options with this prior fused into the search (null: none). */
    public DecodingOptions withFusion(PriorFusion f) {
        return new DecodingOptions(beamWidth, itemsPerSession, allowedPrefixes, excludeHistory, filter, f, codeSoftmax);
    }

    /** The same options with this head normalisation (null: {@link CodeSoftmax#CODEBOOK}). */
    public DecodingOptions withCodeSoftmax(CodeSoftmax softmax) {
        return new DecodingOptions(beamWidth, itemsPerSession, allowedPrefixes, excludeHistory, filter, fusion, softmax);
    }

    /** Whether an item prior is fused into the search scores (a weight above zero). */
    public boolean fused() {
        return fusion != null && fusion.weight() > 0;
    }

    public boolean restricted() {
        return !allowedPrefixes.isEmpty();
    }

    /**
     * Everything that restricts the items of this request except history exclusion (which differs per user): the
     * filter and, when set, the allowed prefixes.
     */
    public ItemFilter requestFilter() {
        return restricted() ? filter.and(ItemFilter.allowedPrefixes(allowedPrefixes)) : filter;
    }
}

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
 */
public record DecodingOptions(int beamWidth, int itemsPerSession, Set<SemanticId> allowedPrefixes, boolean excludeHistory) {
    /** Widest beam accepted: each beam slot holds a decoder cache, so memory grows linearly with the width. */
    public static final int MAX_BEAM_WIDTH = 4096;

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
    }

    /** Next-item recommendation with {@code beamWidth} beams, no restriction. */
    public static DecodingOptions beams(int beamWidth) {
        return new DecodingOptions(beamWidth, 1, Set.of(), false);
    }

    public DecodingOptions withItemsPerSession(int m) {
        return new DecodingOptions(beamWidth, m, allowedPrefixes, excludeHistory);
    }

    public DecodingOptions withAllowedPrefixes(Set<SemanticId> prefixes) {
        return new DecodingOptions(beamWidth, itemsPerSession, prefixes, excludeHistory);
    }

    public DecodingOptions withExcludeHistory(boolean exclude) {
        return new DecodingOptions(beamWidth, itemsPerSession, allowedPrefixes, exclude);
    }

    public boolean restricted() {
        return !allowedPrefixes.isEmpty();
    }
}

package io.onerec.api;

/**
 * How a {@link Reasoner} decodes for one user: the reasoner's counterpart of {@link DecodingOptions}. (The model's
 * own settings, sampling temperature and think budget, are fixed when it is loaded.)
 *
 * @param paths        reasoning paths sampled per user (OneRec-Think's T)
 * @param beamWidth    width of the SID beam search after each path: the prefixes kept per path in
 *                     {@link Reasoner#reason} (Think-Ahead's m), the full-SID beam in {@link Reasoner#recommend}
 * @param prefixLength codes per prefix in {@link Reasoner#reason} (2 for Think-Ahead's (c1, c2)); {@code recommend}
 *                     decodes full SIDs
 * @param seed         sampling seed: the same seed gives the same paths
 */
public record ReasoningOptions(int paths, int beamWidth, int prefixLength, long seed) {
    /** Think-Ahead's prefixes are (c1, c2). */
    public static final int THINK_AHEAD_PREFIX_LENGTH = 2;
    /** Most reasoning paths per user: each is a sampled rationale with its own decoder cache. */
    public static final int MAX_PATHS = 1024;
    /** Widest SID beam, as for the generator ({@link DecodingOptions#MAX_BEAM_WIDTH}). */
    public static final int MAX_BEAM_WIDTH = DecodingOptions.MAX_BEAM_WIDTH;
    /** Longest prefix; SIDs have a handful of codes. */
    public static final int MAX_PREFIX_LENGTH = 64;

    public ReasoningOptions {
        if (paths < 1 || paths > MAX_PATHS) throw new IllegalArgumentException("paths must be in [1, " + MAX_PATHS + "], got " + paths);
        if (beamWidth < 1 || beamWidth > MAX_BEAM_WIDTH) {
            throw new IllegalArgumentException("beamWidth must be in [1, " + MAX_BEAM_WIDTH + "], got " + beamWidth);
        }
        if (prefixLength < 1 || prefixLength > MAX_PREFIX_LENGTH) {
            throw new IllegalArgumentException("prefixLength must be in [1, " + MAX_PREFIX_LENGTH + "], got " + prefixLength);
        }
    }

    /** {@code paths} sampled paths, {@code beamWidth} SIDs kept after each, (c1, c2) prefixes, seed 0. */
    public static ReasoningOptions of(int paths, int beamWidth) {
        return new ReasoningOptions(paths, beamWidth, THINK_AHEAD_PREFIX_LENGTH, 0);
    }

    public ReasoningOptions withPaths(int paths) {
        return new ReasoningOptions(paths, beamWidth, prefixLength, seed);
    }

    public ReasoningOptions withBeamWidth(int beamWidth) {
        return new ReasoningOptions(paths, beamWidth, prefixLength, seed);
    }

    public ReasoningOptions withPrefixLength(int prefixLength) {
        return new ReasoningOptions(paths, beamWidth, prefixLength, seed);
    }

    public ReasoningOptions withSeed(long seed) {
        return new ReasoningOptions(paths, beamWidth, prefixLength, seed);
    }
}

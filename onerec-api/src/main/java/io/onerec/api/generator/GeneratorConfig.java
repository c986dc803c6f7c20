package io.onerec.api.generator;

import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.api.checkpoint.CheckpointLimits;
import io.onerec.api.checkpoint.JsonConfig;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Shape of a OneRec generator (see docs/generator-model.md): the token layout follows from the codec's codebook
 * sizes, the rest are transformer sizes. Shared by every backend, so a checkpoint written by one loads in another.
 */
public record GeneratorConfig(int dModel, int nHeads, int dFf, int encoderLayers, int decoderLayers,
                              int moeExperts, int moeTopK, int maxHistory, int[] codebookSizes,
                              int userBuckets, int itemsPerSession, double normEps, int itemVocab,
                              boolean causalEncoder, boolean bosReadsLastState) {

    /** The {@code kind} of generator checkpoints (see {@link io.onerec.api.checkpoint.Checkpoint}). */
    public static final String CHECKPOINT_KIND = "onerec-generator";
    public static final int PAD = 0;
    public static final int BOS = 1;
    private static final int FIRST_CODE_TOKEN = 2;

    /** Most code positions per item. */
    public static final int MAX_CODE_LEVELS = 64;

    public GeneratorConfig {
        require(dModel > 0 && nHeads > 0 && dModel % nHeads == 0, "d_model (" + dModel + ") must be a positive multiple of n_heads (" + nHeads + ")");
        CheckpointLimits.requireInRange("d_model", dModel, 1, CheckpointLimits.MAX_DIMENSION);
        CheckpointLimits.requireInRange("d_ff", dFf, 1, CheckpointLimits.MAX_DIMENSION);
        require(encoderLayers >= 0 && decoderLayers > 0, "need encoder_layers >= 0 and decoder_layers > 0");
        CheckpointLimits.requireInRange("encoder_layers", encoderLayers, 0, CheckpointLimits.MAX_LAYERS);
        CheckpointLimits.requireInRange("decoder_layers", decoderLayers, 1, CheckpointLimits.MAX_LAYERS);
        CheckpointLimits.requireInRange("moe_experts", moeExperts, 0, CheckpointLimits.MAX_EXPERTS);
        require(moeExperts == 0 || (moeTopK >= 1 && moeTopK <= moeExperts), "moe_top_k must be in [1, moe_experts], got " + moeTopK);
        CheckpointLimits.requireInRange("max_history", maxHistory, 1, CheckpointLimits.MAX_DIMENSION);
        require(codebookSizes != null && codebookSizes.length > 0, "codebook_sizes must be non-empty");
        require(codebookSizes.length <= MAX_CODE_LEVELS, "codebook_sizes has " + codebookSizes.length + " levels, at most " + MAX_CODE_LEVELS);
        long codes = 0;
        for (int k : codebookSizes) {
            require(k > 0, "codebook sizes must be positive: " + Arrays.toString(codebookSizes));
            codes += k;
        }
        require(codes <= CheckpointLimits.MAX_VOCABULARY, "codebook_sizes sum to " + codes + " codes, at most " + CheckpointLimits.MAX_VOCABULARY);
        CheckpointLimits.requireInRange("user_buckets", userBuckets, 0, CheckpointLimits.MAX_VOCABULARY);
        CheckpointLimits.requireInRange("items_per_session", itemsPerSession, 1, CheckpointLimits.MAX_DIMENSION / (codebookSizes.length + 1));
        CheckpointLimits.requireFinitePositive("norm_eps", normEps);
        CheckpointLimits.requireInRange("item_vocab", itemVocab, 0, CheckpointLimits.MAX_VOCABULARY);
        codebookSizes = codebookSizes.clone();
    }

    private static void require(boolean ok, String message) {
        if (!ok) throw new IllegalArgumentException(message);
    }

    /** The shape without item-ID embeddings (item_vocab = 0): items enter the encoder as their codes only. */
    public GeneratorConfig(int dModel, int nHeads, int dFf, int encoderLayers, int decoderLayers,
                           int moeExperts, int moeTopK, int maxHistory, int[] codebookSizes,
                           int userBuckets, int itemsPerSession, double normEps) {
        this(dModel, nHeads, dFf, encoderLayers, decoderLayers, moeExperts, moeTopK, maxHistory, codebookSizes,
                userBuckets, itemsPerSession, normEps, 0, false, false);
    }

    /** A small default shape close to TIGER (d=128, 4 encoder + 4 decoder layers, 4 heads, d_ff=512). */
    public static GeneratorConfig small(int[] codebookSizes) {
        return new GeneratorConfig(128, 4, 512, 4, 4, 0, 0, 20, codebookSizes, 0, 1, 1e-6);
    }

    /**
     * This shape with an item-ID embedding table of {@code items} rows added to the encoder input (0 removes it).
     * Items with ids at or beyond the table (added to the catalog after training) enter by their codes alone.
     */
    public GeneratorConfig withItemVocab(int items) {
        return new GeneratorConfig(dModel, nHeads, dFf, encoderLayers, decoderLayers, moeExperts, moeTopK, maxHistory,
                codebookSizes, userBuckets, itemsPerSession, normEps, items, causalEncoder, bosReadsLastState);
    }

    /**
     * This shape with a causal (left-to-right) encoder: each history position attends to itself and older positions
     * only. At inference the decoder still reads every position, so serving is unchanged; what it buys is training:
     * the encoder states of a user's sequence are then the same for every prefix, so one encoder pass trains the
     * targets at all positions of a sequence (as SASRec trains), instead of one encoder pass per target.
     */
    public GeneratorConfig withCausalEncoder(boolean causal) {
        return new GeneratorConfig(dModel, nHeads, dFf, encoderLayers, decoderLayers, moeExperts, moeTopK, maxHistory,
                codebookSizes, userBuckets, itemsPerSession, normEps, itemVocab, causal, bosReadsLastState);
    }

    /**
     * This shape with every decoder BOS input adding the encoder's output at the most recent history position (the
     * user's current state, what SASRec scores from). Why: cross-attention alone has no notion of which history
     * position is the latest (positions count from the oldest item, and a causal encoder state cannot see whether
     * anything follows it), yet the latest items predict the next one best.
     */
    public GeneratorConfig withBosReadsLastState(boolean reads) {
        return new GeneratorConfig(dModel, nHeads, dFf, encoderLayers, decoderLayers, moeExperts, moeTopK, maxHistory,
                codebookSizes, userBuckets, itemsPerSession, normEps, itemVocab, causalEncoder, reads);
    }

    /** Whether history items also enter the encoder through their own (item-ID) embedding row. */
    public boolean itemEmbeddings() {
        return itemVocab > 0;
    }

    @Override
    public int[] codebookSizes() {
        return codebookSizes.clone();
    }

    /** Code positions per item (P). */
    public int codeLevels() {
        return codebookSizes.length;
    }

    public int codebookSize(int level) {
        return codebookSizes[level];
    }

    public int headDim() {
        return dModel / nHeads;
    }

    /** First token id of code position {@code level}. */
    public int codeTokenOffset(int level) {
        int off = FIRST_CODE_TOKEN;
        for (int l = 0; l < level; l++) off += codebookSizes[l];
        return off;
    }

    public int codeToken(int level, int code) {
        if (code < 0 || code >= codebookSizes[level]) {
            throw new IllegalArgumentException("code " + code + " outside [0, " + codebookSizes[level] + ") at level " + level);
        }
        return codeTokenOffset(level) + code;
    }

    public int firstUserToken() {
        return codeTokenOffset(codebookSizes.length);
    }

    public int vocabSize() {
        return firstUserToken() + userBuckets;
    }

    /** The user's token, or -1 when the model has no user tokens. */
    public int userToken(long userId) {
        return userBuckets == 0 ? -1 : firstUserToken() + (int) Math.floorMod(mix64(userId), (long) userBuckets);
    }

    public int maxEncoderLen() {
        return (userBuckets > 0 ? 1 : 0) + maxHistory;
    }

    public int maxDecoderLen() {
        return itemsPerSession * (codeLevels() + 1);
    }

    public boolean moe() {
        return moeExperts > 0;
    }

    /** SplitMix64 finalizer: spreads user ids over buckets. */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    /** Every tensor of a checkpoint of this shape and its dimensions, in checkpoint order (docs/generator-model.md). */
    public Map<String, long[]> parameterShapes() {
        Map<String, long[]> s = new LinkedHashMap<>();
        long d = dModel, ff = dFf;
        s.put("shared.embedding", new long[]{vocabSize(), d});
        s.put("encoder.pos_embedding", new long[]{maxEncoderLen(), d});
        if (itemVocab > 0) s.put("encoder.item_embedding", new long[]{itemVocab, d});
        for (int i = 0; i < encoderLayers; i++) {
            String p = "encoder.layers." + i + ".";
            s.put(p + "attn_norm.weight", new long[]{d});
            for (String w : new String[]{"q", "k", "v", "o"}) s.put(p + "attn." + w + ".weight", new long[]{d, d});
            s.put(p + "ffn_norm.weight", new long[]{d});
            s.put(p + "ffn.wi.weight", new long[]{ff, d});
            s.put(p + "ffn.wo.weight", new long[]{d, ff});
        }
        s.put("encoder.final_norm.weight", new long[]{d});
        s.put("decoder.pos_embedding", new long[]{maxDecoderLen(), d});
        for (int i = 0; i < decoderLayers; i++) {
            String p = "decoder.layers." + i + ".";
            s.put(p + "self_attn_norm.weight", new long[]{d});
            for (String w : new String[]{"q", "k", "v", "o"}) s.put(p + "self_attn." + w + ".weight", new long[]{d, d});
            s.put(p + "cross_attn_norm.weight", new long[]{d});
            for (String w : new String[]{"q", "k", "v", "o"}) s.put(p + "cross_attn." + w + ".weight", new long[]{d, d});
            s.put(p + "ffn_norm.weight", new long[]{d});
            if (moe()) {
                s.put(p + "moe.router.weight", new long[]{moeExperts, d});
                for (int e = 0; e < moeExperts; e++) {
                    s.put(p + "moe.experts." + e + ".wi.weight", new long[]{ff, d});
                    s.put(p + "moe.experts." + e + ".wo.weight", new long[]{d, ff});
                }
            } else {
                s.put(p + "ffn.wi.weight", new long[]{ff, d});
                s.put(p + "ffn.wo.weight", new long[]{d, ff});
            }
        }
        s.put("decoder.final_norm.weight", new long[]{d});
        s.put("lm_head.weight", new long[]{vocabSize(), d});
        return s;
    }

    public JsonConfig toJson() {
        return JsonConfig.builder()
                .put("d_model", dModel).put("n_heads", nHeads).put("d_ff", dFf)
                .put("encoder_layers", encoderLayers).put("decoder_layers", decoderLayers)
                .put("moe_experts", moeExperts).put("moe_top_k", moeTopK)
                .put("max_history", maxHistory).put("codebook_sizes", codebookSizes)
                .put("user_buckets", userBuckets).put("items_per_session", itemsPerSession)
                .put("norm_eps", normEps).put("item_vocab", itemVocab)
                .put("causal_encoder", causalEncoder).put("bos_reads_last_state", bosReadsLastState)
                .build();
    }

    /** Reads the doc's config keys; a missing or invalid key is a {@link CheckpointException}. */
    public static GeneratorConfig fromJson(JsonConfig c) {
        try {
            return new GeneratorConfig(c.getInt("d_model"), c.getInt("n_heads"), c.getInt("d_ff"),
                    c.getInt("encoder_layers"), c.getInt("decoder_layers"), c.getInt("moe_experts", 0),
                    c.getInt("moe_top_k", 0), c.getInt("max_history"), c.getIntArray("codebook_sizes"),
                    c.getInt("user_buckets", 0), c.getInt("items_per_session", 1), c.getDouble("norm_eps", 1e-6),
                    c.getInt("item_vocab", 0), c.getBoolean("causal_encoder", false),
                    c.getBoolean("bos_reads_last_state", false));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException("invalid generator config: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GeneratorConfig g && dModel == g.dModel && nHeads == g.nHeads && dFf == g.dFf
                && encoderLayers == g.encoderLayers && decoderLayers == g.decoderLayers && moeExperts == g.moeExperts
                && moeTopK == g.moeTopK && maxHistory == g.maxHistory && Arrays.equals(codebookSizes, g.codebookSizes)
                && userBuckets == g.userBuckets && itemsPerSession == g.itemsPerSession && normEps == g.normEps
                && itemVocab == g.itemVocab && causalEncoder == g.causalEncoder
                && bosReadsLastState == g.bosReadsLastState;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new int[]{dModel, nHeads, dFf, encoderLayers, decoderLayers, moeExperts, moeTopK, maxHistory,
                Arrays.hashCode(codebookSizes), userBuckets, itemsPerSession, Double.hashCode(normEps), itemVocab, causalEncoder ? 1 : 0, bosReadsLastState ? 1 : 0});
    }

    @Override
    public String toString() {
        return toJson().toJson();
    }
}

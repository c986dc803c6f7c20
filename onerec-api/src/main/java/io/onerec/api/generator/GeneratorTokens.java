package io.onerec.api.generator;

import io.onerec.api.SemanticId;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.UserHistory;

/**
 * Turns users and items into the generator's token sequences (docs/generator-model.md), identically for every
 * backend.
 */
public final class GeneratorTokens {
    private final GeneratorConfig config;
    private final SemanticIdCodec codec;
    /** Token ids of every item's SID, [item * P + level]; precomputed because every encoder input needs them. */
    private final int[] itemTokens;

    public GeneratorTokens(GeneratorConfig config, SemanticIdCodec codec) {
        if (!java.util.Arrays.equals(config.codebookSizes(), codec.codebookSizes())) {
            throw new IllegalArgumentException("generator codebook sizes " + java.util.Arrays.toString(config.codebookSizes())
                    + " do not match the codec's " + java.util.Arrays.toString(codec.codebookSizes()));
        }
        this.config = config;
        this.codec = codec;
        int p = config.codeLevels();
        itemTokens = new int[codec.itemCount() * p];
        for (int item = 0; item < codec.itemCount(); item++) {
            SemanticId sid = codec.sidOf(item);
            for (int l = 0; l < p; l++) itemTokens[item * p + l] = config.codeToken(l, sid.code(l));
        }
    }

    public GeneratorConfig config() {
        return config;
    }

    public SemanticIdCodec codec() {
        return codec;
    }

    private void checkItem(int item, String role) {
        if (item < 0 || item >= codec.itemCount()) {
            throw new IllegalArgumentException("unknown " + role + " item " + item + " (catalog has " + codec.itemCount() + " items)");
        }
    }

    /**
     * Encoder input, P token ids per position (docs/generator-model.md): the user position (user token then P-1 PAD)
     * when the model has user buckets, then the code tokens of the most recent {@code max_history} items, oldest
     * first. Length = positions x P.
     */
    public int[] encoderTokens(UserHistory user) {
        int p = config.codeLevels();
        UserHistory h = user.lastItems(config.maxHistory());
        int userTok = config.userToken(user.userId());
        int positions = (userTok >= 0 ? 1 : 0) + h.length();
        if (positions == 0) {
            throw new IllegalArgumentException("user " + user.userId() + " has an empty history and the model has no user tokens");
        }
        int[] out = new int[positions * p];
        int o = 0;
        if (userTok >= 0) {
            out[0] = userTok; // the rest of the position stays PAD (0)
            o = p;
        }
        for (int i = 0; i < h.length(); i++) {
            int item = h.item(i);
            checkItem(item, "history");
            System.arraycopy(itemTokens, item * p, out, o, p);
            o += p;
        }
        return out;
    }

    /**
     * Rows of {@code encoder.item_embedding} for each encoder position of {@link #encoderTokens}: the history item's
     * id, or -1 where the position has no item row (the user position, items beyond {@code item_vocab}, or a model
     * without item embeddings). Length = positions.
     */
    public int[] encoderItems(UserHistory user) {
        UserHistory h = user.lastItems(config.maxHistory());
        int userPositions = config.userToken(user.userId()) >= 0 ? 1 : 0;
        int[] out = new int[userPositions + h.length()];
        java.util.Arrays.fill(out, -1);
        for (int i = 0; i < h.length(); i++) {
            int item = h.item(i);
            checkItem(item, "history");
            if (item < config.itemVocab()) out[userPositions + i] = item;
        }
        return out;
    }

    /** Code tokens of a session's items, [item * P + level]. */
    public int[] sessionCodeTokens(int[] items) {
        int p = config.codeLevels();
        int[] out = new int[items.length * p];
        for (int j = 0; j < items.length; j++) {
            checkItem(items[j], "target");
            System.arraycopy(itemTokens, items[j] * p, out, j * p, p);
        }
        return out;
    }

    /**
     * Decoder input for teacher forcing on a session: {@code BOS c^1_0 .. c^1_{P-1} BOS c^2_0 ...} without the last
     * code (length m(P+1)-1); position j(P+1)+l predicts code l of item j.
     */
    public int[] decoderInput(int[] items) {
        int p = config.codeLevels();
        int[] codes = sessionCodeTokens(items);
        int[] out = new int[items.length * (p + 1) - 1];
        int o = 0;
        for (int j = 0; j < items.length; j++) {
            out[o++] = GeneratorConfig.BOS;
            for (int l = 0; l < p && o < out.length; l++) out[o++] = codes[j * p + l];
        }
        return out;
    }
}

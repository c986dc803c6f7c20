package io.onerec.api.reasoner;

import io.onerec.api.SemanticId;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the reasoner's item tokens live in the vocabulary: {@code <|item_begin|>}, {@code <|item_end|>}, the think
 * markers, and one token per (level, code), named {@code <s_a_12>} for code 12 at level 0, {@code <s_b_..>} at
 * level 1 and so on. The SID tokens of level l occupy ids {@code [offset(l), offset(l) + size(l))}.
 */
public final class SidVocabulary {
    public static final String ITEM_BEGIN = "<|item_begin|>", ITEM_END = "<|item_end|>";
    public static final String THINK_BEGIN = "<think>", THINK_END = "</think>";

    private final ExtendedTokenizer tokenizer;
    private final int[] sizes;
    private final int[] offsets;
    private final int itemBegin, itemEnd, thinkBegin, thinkEnd;

    private SidVocabulary(ExtendedTokenizer tokenizer, int[] sizes) {
        this.tokenizer = tokenizer;
        this.sizes = sizes.clone();
        this.offsets = new int[sizes.length];
        this.itemBegin = id(ITEM_BEGIN);
        this.itemEnd = id(ITEM_END);
        this.thinkBegin = id(THINK_BEGIN);
        this.thinkEnd = id(THINK_END);
        for (int l = 0; l < sizes.length; l++) {
            offsets[l] = id(token(l, 0));
            for (int c = 1; c < sizes[l]; c++) {
                if (id(token(l, c)) != offsets[l] + c) throw new IllegalStateException("SID tokens of level " + l + " are not contiguous");
            }
        }
    }

    /** Extends a base tokenizer with the markers and the SID tokens of a codec with these codebook sizes. */
    public static SidVocabulary extend(TextTokenizer base, int[] codebookSizes) {
        if (codebookSizes.length == 0 || codebookSizes.length > 26) {
            throw new IllegalArgumentException("need 1..26 SID levels, got " + codebookSizes.length);
        }
        List<String> tokens = new ArrayList<>(List.of(ITEM_BEGIN, ITEM_END, THINK_BEGIN, THINK_END));
        for (int l = 0; l < codebookSizes.length; l++) {
            for (int c = 0; c < codebookSizes[l]; c++) tokens.add(token(l, c));
        }
        return new SidVocabulary(new ExtendedTokenizer(base, tokens), codebookSizes);
    }

    public static String token(int level, int code) {
        return "<s_" + (char) ('a' + level) + "_" + code + ">";
    }

    /** {@code <|item_begin|><s_a_..><s_b_..>...<|item_end|>}. */
    public static String text(SemanticId sid) {
        StringBuilder sb = new StringBuilder(ITEM_BEGIN);
        for (int l = 0; l < sid.length(); l++) sb.append(token(l, sid.code(l)));
        return sb.append(ITEM_END).toString();
    }

    private int id(String token) {
        return tokenizer.atomicId(token).orElseThrow(() -> new IllegalStateException("token " + token + " missing"));
    }

    public ExtendedTokenizer tokenizer() {
        return tokenizer;
    }

    public int levels() {
        return sizes.length;
    }

    public int size(int level) {
        return sizes[level];
    }

    public int offset(int level) {
        return offsets[level];
    }

    public int tokenId(int level, int code) {
        if (code < 0 || code >= sizes[level]) throw new IllegalArgumentException("code " + code + " outside level " + level + " codebook of " + sizes[level]);
        return offsets[level] + code;
    }

    /** Level of a SID token id, or -1 when the id is not a SID token. */
    public int levelOf(int id) {
        for (int l = 0; l < sizes.length; l++) if (id >= offsets[l] && id < offsets[l] + sizes[l]) return l;
        return -1;
    }

    public boolean isItemToken(int id) {
        return id == itemBegin || id == itemEnd || levelOf(id) >= 0;
    }

    public int itemBegin() {
        return itemBegin;
    }

    public int itemEnd() {
        return itemEnd;
    }

    public int thinkBegin() {
        return thinkBegin;
    }

    public int thinkEnd() {
        return thinkEnd;
    }

    public int[] codebookSizes() {
        return sizes.clone();
    }
}

package io.onerec.api.reasoner;

/**
 * Rows of incremental decoding over a {@link LanguageModel}, each with its own key/value cache, all at the same
 * length. Not thread-safe; close it to free native memory (LibTorch).
 */
public interface DecodingState extends AutoCloseable {

    int rows();

    /** Tokens consumed by each row so far (prefix included). */
    int length();

    /** Next-token logits of every row, {@code [rows * vocabSize]} row-major; valid until the next call. */
    float[] logits();

    /** Feeds one token to each row ({@code tokens.length == rows()}) and recomputes {@link #logits()}. */
    void append(int[] tokens);

    /**
     * Keeps row {@code keep[i]} of the current state as new row {@code i}: beam reordering (a row may be kept more
     * than once) and dropping finished rows. The logits are selected along.
     */
    void select(int[] keep);

    @Override
    void close();
}

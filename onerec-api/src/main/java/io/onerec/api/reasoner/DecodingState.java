package io.onerec.api.reasoner;

/**
 * Rows of incremental decoding over a {@link LanguageModel}, each with its own key/value cache, all at the same
 * length. Not thread-safe; close it to free native memory (LibTorch).
 *
 * <p>The generator's {@link io.onerec.api.generator.StepDecoder.Session} is the same idea: its
 * {@code step(tokens, parents, level)} is {@link #select select(parents)} then {@link #append append(tokens)} here,
 * fused, with the log-probabilities of one SID level's codebook returned instead of full logits. Here the two moves
 * are separate because {@link ReasonerDecoder} samples: it reads {@link #logits()} over the whole vocabulary, picks
 * tokens, and only then knows which rows to keep ({@code keep} may be shorter than {@link #rows()}: finished rows
 * are dropped, which a fixed-width beam search never does). Its beam search over SID tokens uses the same pair,
 * {@code select} then {@code append}, per level.
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

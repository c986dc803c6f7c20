package io.onerec.api.reasoner;

import java.nio.file.Path;

/**
 * A causal language model as the reasoner's decoding sees it: feed tokens, read next-token logits. Each backend
 * implements it over the same Hugging Face Qwen checkpoint layout (LibTorch for training and inference, pure Java
 * for inference), so {@link ReasonerDecoder} and {@link SidReasoner} are written once.
 *
 * <p>Implementations are safe for concurrent {@link #start} calls: the weights are read-only and each
 * {@link DecodingState} owns its key/value cache.
 */
public interface LanguageModel {

    /** Rows of the output projection (may exceed the tokenizer's size when a checkpoint pads its embedding). */
    int vocabSize();

    /**
     * Runs {@code prefix} once and returns {@code rows} identical decoding streams positioned after it, with
     * {@link DecodingState#logits()} holding the next-token logits after the prefix.
     */
    DecodingState start(int[] prefix, int rows);

    /** Writes {@code config.json} and the weights in Hugging Face layout. */
    void save(Path dir);
}

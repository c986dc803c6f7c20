package io.onerec.tools.text;

import java.util.List;

/**
 * Turns item text (titles, descriptions) into fixed-size vectors in which similar texts lie close, for the content
 * part of item embeddings and so of semantic IDs (TIGER builds its semantic IDs from a sentence encoder over item
 * text). Implementations are thread-safe.
 */
public interface TextEncoder extends AutoCloseable {

    /** Vector size. */
    int dim();

    /**
     * One L2-normalised vector per text, in order, row-major {@code [texts.size() x dim()]}. An empty text gets a
     * zero vector (nothing to say about the item).
     */
    float[] encode(List<String> texts);

    @Override
    void close();
}

package io.onerec.api.reasoner;

import java.nio.file.Path;

/**
 * A tokenizer that is one file of a reasoner checkpoint ({@code vocab.txt} for the word vocabulary,
 * {@code tokenizer.json} for a Hugging Face tokenizer), so {@link SidReasoner#save} can write it next to the weights
 * and {@link SidReasoner#load} can find it again.
 */
public interface FileTokenizer extends TextTokenizer {

    /** The file's name inside a checkpoint directory. */
    String fileName();

    /** Writes the tokenizer, byte for byte what a later load reads. */
    void save(Path file);
}

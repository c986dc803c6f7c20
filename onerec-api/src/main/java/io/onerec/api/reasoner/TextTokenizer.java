package io.onerec.api.reasoner;

import java.util.OptionalInt;

/** Text to token ids and back; the reasoner only needs these four operations of a tokenizer. */
public interface TextTokenizer {

    int[] encode(String text);

    String decode(int[] ids);

    int vocabSize();

    /** The id of a token the tokenizer already treats as one unit (a special/added token), if any. */
    OptionalInt atomicId(String token);

    /** True for control ids (padding, unknown, end of text) that a sampled rationale must never contain. */
    default boolean isControl(int id) {
        return false;
    }

    /** What goes between decoded pieces: a space for word-level vocabularies, nothing for sub-word ones. */
    default String joiner() {
        return "";
    }
}

package io.onerec.api.spi;

import io.onerec.api.Generator;
import io.onerec.api.Reasoner;
import io.onerec.api.RewardModel;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.reasoner.LanguageModel;
import io.onerec.api.reasoner.QwenCheckpoint;
import io.onerec.api.reasoner.TextTokenizer;

import java.nio.file.Path;

/**
 * A compute backend (pure-Java CPU, LibTorch, ...), found through {@link java.util.ServiceLoader}. Implementations
 * must have a public no-argument constructor that does no heavy work: native libraries are loaded in
 * {@link #isAvailable()}, which must not throw.
 */
public interface Backend {

    /** Short, stable name used by {@code -Donerec.backend=NAME}, e.g. "cpu" or "libtorch". */
    String name();

    /** Higher wins when no backend is forced. */
    int priority();

    /** Whether the backend can run here (natives load, required JDK modules present). Never throws. */
    boolean isAvailable();

    /** Why {@link #isAvailable()} is false, for error messages; empty when available. */
    default String unavailableReason() {
        return "";
    }

    /** Loads a codec checkpoint directory written by {@link SemanticIdCodec#save(Path)}. */
    SemanticIdCodec loadCodec(Path dir);

    /** Loads a generator checkpoint directory for inference, over the given codec. */
    Generator loadGenerator(Path dir, SemanticIdCodec codec);

    /** Loads a reward-model checkpoint directory for scoring. */
    default RewardModel loadRewardModel(Path dir) {
        throw new UnsupportedOperationException("backend '" + name() + "' has no reward model");
    }

    /** Loads a reasoner checkpoint directory for inference, over the given codec. */
    default Reasoner loadReasoner(Path dir, SemanticIdCodec codec) {
        throw new UnsupportedOperationException("backend '" + name() + "' has no reasoner");
    }

    /** Whether {@link #loadHfTokenizer} works in this backend (it needs a binding of the Hugging Face tokenizers library). */
    default boolean readsHfTokenizers() {
        return false;
    }

    /**
     * Reads a Hugging Face {@code tokenizer.json} (the base vocabulary of a reasoner over a pretrained LM), for
     * {@link io.onerec.api.reasoner.SidReasoner#load}. The result may hold native memory and be {@link AutoCloseable}.
     */
    default TextTokenizer loadHfTokenizer(Path tokenizerJson) {
        throw new UnsupportedOperationException("backend '" + name() + "' does not read Hugging Face tokenizers");
    }

    /**
     * An inference language model over an in-memory reasoner checkpoint, e.g. a trainer's current weights: how one
     * backend borrows another's decoder (the LibTorch GRPO trainer decodes its rollouts with the pure-Java model on
     * CPU) without a compile-time dependency between backends.
     */
    default LanguageModel languageModel(QwenCheckpoint checkpoint) {
        throw new UnsupportedOperationException("backend '" + name() + "' has no language model");
    }
}

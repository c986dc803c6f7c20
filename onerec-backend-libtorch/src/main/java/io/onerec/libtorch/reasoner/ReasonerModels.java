package io.onerec.libtorch.reasoner;

import io.onerec.api.reasoner.QwenConfig;
import io.onerec.api.reasoner.SidVocabulary;
import io.onerec.api.reasoner.WordTokenizer;

import java.nio.file.Files;
import java.nio.file.Path;

/** Ways to obtain a reasoner LM whose vocabulary holds a codec's item tokens. */
public final class ReasonerModels {
    private ReasonerModels() {
    }

    /** A model with its SID-extended tokenizer. */
    public record Initialized(TorchQwenModel model, SidVocabulary vocabulary) {
    }

    /**
     * A pretrained Qwen checkpoint directory (config.json, *.safetensors, tokenizer.json) with the item tokens of a
     * codec with these codebook sizes added to the tokenizer, and their embedding rows initialised.
     */
    public static Initialized fromHuggingFace(Path dir, int[] codebookSizes, long seed) {
        Path tokenizerJson = dir.resolve("tokenizer.json");
        if (!Files.exists(tokenizerJson)) throw new IllegalArgumentException(dir + " has no tokenizer.json");
        TorchQwenModel model = TorchQwenModel.load(dir);
        SidVocabulary vocab = SidVocabulary.extend(HfTokenizer.load(tokenizerJson), codebookSizes);
        return new Initialized(model, withRows(model, vocab, seed));
    }

    /** A freshly initialised model of the given shape over a word tokenizer built from training texts. */
    public static Initialized fromScratch(WordTokenizer words, int[] codebookSizes, int hidden, int layers, int heads, int kvHeads, long seed) {
        SidVocabulary vocab = SidVocabulary.extend(words, codebookSizes);
        return new Initialized(TorchQwenModel.initialize(QwenConfig.tiny(vocab.tokenizer().vocabSize(), hidden, layers, heads, kvHeads), seed), vocab);
    }

    private static SidVocabulary withRows(TorchQwenModel model, SidVocabulary vocab, long seed) {
        int base = vocab.tokenizer().base().vocabSize();
        if (base > model.config().vocabSize()) {
            throw new IllegalArgumentException("tokenizer has " + base + " tokens but the model's embedding only " + model.config().vocabSize());
        }
        model.initializeNewTokens(base, vocab.tokenizer().vocabSize(), seed);
        return vocab;
    }
}

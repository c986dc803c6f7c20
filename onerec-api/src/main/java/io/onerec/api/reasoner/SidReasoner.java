package io.onerec.api.reasoner;

import io.onerec.api.Reasoner;
import io.onerec.api.ReasoningOptions;
import io.onerec.api.ReasoningPath;
import io.onerec.api.ScoredItem;
import io.onerec.api.SemanticId;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.UserHistory;
import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.api.checkpoint.JsonConfig;
import io.onerec.api.ItemMetadata;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * OneRec-Think inference over any backend's {@link LanguageModel}: per user, sample reasoning paths (temperature
 * sampling of the rationale until {@code </think>}), then after each path beam-search the first SID codes under the
 * codec's prefix trie.
 *
 * <p>A checkpoint directory holds the model ({@code config.json}, {@code model.safetensors}), the word vocabulary
 * ({@value #VOCAB_FILE}), the prompt words of every item ({@value #ITEM_WORDS_FILE}, so serving needs no metadata
 * files) and the settings ({@value #REASONER_FILE}). Thread-safe: calls share only the read-only weights.
 */
public final class SidReasoner implements Reasoner {
    public static final String REASONER_FILE = "reasoner.json";
    public static final String VOCAB_FILE = "vocab.txt";
    public static final String ITEM_WORDS_FILE = "item_words.txt";

    /** Sampling settings of the rationales. */
    public record Options(double temperature, int maxThinkTokens) {
        public Options {
            if (temperature <= 0 || maxThinkTokens < 1) throw new IllegalArgumentException("temperature > 0 and maxThinkTokens >= 1 required");
        }

        public static Options defaults() {
            return new Options(1.0, 32);
        }
    }

    private final LanguageModel model;
    private final SidVocabulary vocab;
    private final ReasonerTexts texts;
    private final Options options;
    private final ReasonerDecoder decoder;

    public SidReasoner(LanguageModel model, SidVocabulary vocab, ReasonerTexts texts, Options options) {
        if (!Arrays.equals(vocab.codebookSizes(), texts.codec().codebookSizes())) {
            throw new IllegalArgumentException("vocabulary SID levels " + Arrays.toString(vocab.codebookSizes())
                    + " differ from the codec's " + Arrays.toString(texts.codec().codebookSizes()));
        }
        this.model = model;
        this.vocab = vocab;
        this.texts = texts;
        this.options = options;
        this.decoder = new ReasonerDecoder(model, vocab);
    }

    public LanguageModel model() {
        return model;
    }

    public SidVocabulary vocabulary() {
        return vocab;
    }

    public ReasonerTexts texts() {
        return texts;
    }

    public Options options() {
        return options;
    }

    @Override
    public SemanticIdCodec codec() {
        return texts.codec();
    }

    @Override
    public List<ReasoningPath> reason(UserHistory user, ReasoningOptions decoding) {
        int[] prompt = vocab.tokenizer().encode(texts.prompt(user));
        List<ReasoningPath> out = new ArrayList<>(decoding.paths());
        for (ReasonerDecoder.Rationale r : decoder.sample(prompt, decoding.paths(), options.temperature(), options.maxThinkTokens(), new Random(decoding.seed()))) {
            List<SemanticId> prefixes = decoder.beamSearch(itemContext(prompt, r), codec().trie(), decoding.beamWidth(), decoding.prefixLength()).stream()
                    .map(ReasonerDecoder.SidBeam::codes).toList();
            int[] inner = Arrays.copyOfRange(r.tokens(), 1, r.tokens().length - 1);   // without <think> and </think>
            out.add(new ReasoningPath(vocab.tokenizer().decode(inner), prefixes, r.logProb()));
        }
        return out;
    }

    @Override
    public List<ScoredItem> recommend(UserHistory user, ReasoningOptions decoding, int k) {
        if (k < 1) throw new IllegalArgumentException("k must be >= 1, got " + k);
        int[] prompt = vocab.tokenizer().encode(texts.prompt(user));
        Map<Integer, Double> best = new HashMap<>();
        for (ReasonerDecoder.Rationale r : decoder.sample(prompt, decoding.paths(), options.temperature(), options.maxThinkTokens(), new Random(decoding.seed()))) {
            for (ReasonerDecoder.SidBeam b : decoder.beamSearch(itemContext(prompt, r), codec().trie(), decoding.beamWidth(), codec().levels())) {
                best.merge(codec().itemOf(b.codes()), b.logProb(), Math::max);
            }
        }
        return best.entrySet().stream().sorted(Map.Entry.<Integer, Double>comparingByValue().reversed())
                .limit(k).map(e -> new ScoredItem(e.getKey(), e.getValue())).toList();
    }

    private int[] itemContext(int[] prompt, ReasonerDecoder.Rationale r) {
        return ReasonerTexts.concat(ReasonerTexts.concat(prompt, r.tokens()), new int[]{vocab.itemBegin()});
    }

    /** Writes the HF-layout model, the word vocabulary, every item's prompt words and the settings. */
    @Override
    public void save(Path dir) {
        if (!(vocab.tokenizer().base() instanceof WordTokenizer words)) {
            throw new UnsupportedOperationException("saving is implemented for the built-in word tokenizer; keep the HF tokenizer.json next to the model yourself");
        }
        model.save(dir);
        words.save(dir.resolve(VOCAB_FILE));
        List<String> itemWords = new ArrayList<>(codec().itemCount());
        for (int item = 0; item < codec().itemCount(); item++) itemWords.add(texts.itemWords(item));
        JsonConfig c = JsonConfig.builder().put("codebook_sizes", vocab.codebookSizes())
                .put("history_items", texts.historyItems()).put("title_words", texts.titleWords())
                .put("temperature", options.temperature()).put("max_think_tokens", options.maxThinkTokens()).build();
        try {
            Files.write(dir.resolve(ITEM_WORDS_FILE), itemWords);
            Files.writeString(dir.resolve(REASONER_FILE), c.toJson());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Loads what {@link #save} wrote over the codec the reasoner was trained with; {@code modelLoader} reads the
     * model files of the directory on some backend.
     */
    public static SidReasoner load(Path dir, SemanticIdCodec codec, Function<Path, ? extends LanguageModel> modelLoader) {
        JsonConfig c;
        List<String> itemWords;
        try {
            c = JsonConfig.parse(Files.readString(dir.resolve(REASONER_FILE)), dir.resolve(REASONER_FILE).toString());
            itemWords = Files.readAllLines(dir.resolve(ITEM_WORDS_FILE));
        } catch (IOException e) {
            throw new CheckpointException("cannot read reasoner checkpoint " + dir + ": " + e, e);
        }
        if (!Arrays.equals(c.getIntArray("codebook_sizes"), codec.codebookSizes())) {
            throw new CheckpointException(dir + " was trained for codebook sizes " + Arrays.toString(c.getIntArray("codebook_sizes"))
                    + ", the codec has " + Arrays.toString(codec.codebookSizes()));
        }
        if (itemWords.size() != codec.itemCount()) {
            throw new CheckpointException(dir.resolve(ITEM_WORDS_FILE) + " has " + itemWords.size() + " items, the codec " + codec.itemCount());
        }
        if (!Files.isRegularFile(dir.resolve(VOCAB_FILE))) throw new CheckpointException("missing " + dir.resolve(VOCAB_FILE));
        SidVocabulary vocab = SidVocabulary.extend(WordTokenizer.load(dir.resolve(VOCAB_FILE)), codec.codebookSizes());
        LanguageModel model = modelLoader.apply(dir);
        if (model.vocabSize() != vocab.tokenizer().vocabSize()) {
            throw new CheckpointException(dir + ": model vocabulary " + model.vocabSize() + " != tokenizer vocabulary " + vocab.tokenizer().vocabSize());
        }
        // The stored words are already each item's prompt words; as titles they reproduce the same prompts.
        ItemMetadata words = new ItemMetadata(itemWords.toArray(String[]::new), new int[itemWords.size()][], null);
        return new SidReasoner(model, vocab, new ReasonerTexts(codec, words, c.getInt("history_items"), c.getInt("title_words")),
                new Options(c.getDouble("temperature"), c.getInt("max_think_tokens")));
    }
}

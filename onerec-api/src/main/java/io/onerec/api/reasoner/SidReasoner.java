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
import io.onerec.api.spi.Backends;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

/**
 * OneRec-Think inference over any backend's {@link LanguageModel}: per user, sample reasoning paths (temperature
 * sampling of the rationale until {@code </think>}), then after each path beam-search the first SID codes under the
 * codec's prefix trie.
 *
 * <p>A checkpoint directory holds the model ({@code config.json}, {@code model.safetensors}), the tokenizer (the word
 * vocabulary {@value #VOCAB_FILE} or a Hugging Face {@value #HF_TOKENIZER_FILE}), the prompt words of every item
 * ({@value #ITEM_WORDS_FILE}, so serving needs no metadata files) and the settings ({@value #REASONER_FILE}).
 * Thread-safe: calls share only the read-only weights and tokenizer.
 */
public final class SidReasoner implements Reasoner {
    public static final String REASONER_FILE = "reasoner.json";
    public static final String VOCAB_FILE = "vocab.txt";
    public static final String ITEM_WORDS_FILE = "item_words.txt";
    /** A Hugging Face tokenizer's file, as in a pretrained checkpoint directory. */
    public static final String HF_TOKENIZER_FILE = "tokenizer.json";

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

    /**
     * Writes the HF-layout model, the tokenizer file next to it ({@value #VOCAB_FILE} or {@value #HF_TOKENIZER_FILE}),
     * every item's prompt words and the settings. {@value #REASONER_FILE} records which tokenizer file it is, its
     * SHA-256 and the vocabulary size with the SID tokens, so {@link #load} notices a replaced or mismatched file.
     */
    @Override
    public void save(Path dir) {
        if (!(vocab.tokenizer().base() instanceof FileTokenizer tokenizer)) {
            throw new UnsupportedOperationException("cannot save a reasoner whose base tokenizer (" + vocab.tokenizer().base().getClass().getName()
                    + ") cannot write itself to a file; use WordTokenizer, HfTokenizer or another FileTokenizer");
        }
        if (!tokenizer.fileName().equals(VOCAB_FILE) && !tokenizer.fileName().equals(HF_TOKENIZER_FILE)) {
            throw new UnsupportedOperationException("tokenizer file '" + tokenizer.fileName() + "' is neither " + VOCAB_FILE + " nor " + HF_TOKENIZER_FILE);
        }
        model.save(dir);
        Path tokenizerFile = dir.resolve(tokenizer.fileName());
        tokenizer.save(tokenizerFile);
        List<String> itemWords = new ArrayList<>(codec().itemCount());
        for (int item = 0; item < codec().itemCount(); item++) itemWords.add(texts.itemWords(item));
        JsonConfig c = JsonConfig.builder().put("codebook_sizes", vocab.codebookSizes())
                .put("history_items", texts.historyItems()).put("title_words", texts.titleWords())
                .put("temperature", options.temperature()).put("max_think_tokens", options.maxThinkTokens())
                .put("tokenizer_file", tokenizer.fileName()).put("tokenizer_sha256", sha256(tokenizerFile))
                .put("vocab_size", vocab.tokenizer().vocabSize()).build();
        try {
            Files.write(dir.resolve(ITEM_WORDS_FILE), itemWords);
            Files.writeString(dir.resolve(REASONER_FILE), c.toJson());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Loads what {@link #save} wrote over the codec the reasoner was trained with; {@code modelLoader} reads the
     * model files of the directory on some backend. A Hugging Face {@value #HF_TOKENIZER_FILE} is read by the first
     * installed backend that reads them ({@link Backends#loadHfTokenizer}).
     */
    public static SidReasoner load(Path dir, SemanticIdCodec codec, Function<Path, ? extends LanguageModel> modelLoader) {
        return load(dir, codec, modelLoader, Backends::loadHfTokenizer);
    }

    /**
     * {@link #load(Path, SemanticIdCodec, Function)} with an explicit reader of Hugging Face tokenizer files. Every
     * mismatch is a {@link CheckpointException} naming the file: a tokenizer file missing, corrupt or not the one
     * saved (SHA-256), a vocabulary with the SID tokens of another size than saved, or more token ids than the
     * model's embedding has rows.
     */
    public static SidReasoner load(Path dir, SemanticIdCodec codec, Function<Path, ? extends LanguageModel> modelLoader,
                                   Function<Path, ? extends TextTokenizer> hfTokenizerLoader) {
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
        // Checkpoints written before the tokenizer was recorded always used the word vocabulary.
        String name = c.getString("tokenizer_file", VOCAB_FILE);
        if (!name.equals(VOCAB_FILE) && !name.equals(HF_TOKENIZER_FILE)) {
            throw new CheckpointException(dir.resolve(REASONER_FILE) + ": tokenizer_file '" + name + "' is neither " + VOCAB_FILE + " nor " + HF_TOKENIZER_FILE);
        }
        Path tokenizerFile = dir.resolve(name);
        if (!Files.isRegularFile(tokenizerFile)) throw new CheckpointException("missing " + tokenizerFile);
        if (c.has("tokenizer_sha256") && !c.getString("tokenizer_sha256").equals(sha256(tokenizerFile))) {
            throw new CheckpointException(tokenizerFile + " is not the tokenizer this reasoner was saved with (SHA-256 " + sha256(tokenizerFile)
                    + ", " + REASONER_FILE + " says " + c.getString("tokenizer_sha256") + ")");
        }
        TextTokenizer base = readTokenizer(tokenizerFile, name.equals(VOCAB_FILE) ? WordTokenizer::load : hfTokenizerLoader);
        try {
            SidVocabulary vocab = SidVocabulary.extend(base, codec.codebookSizes());
            int ids = vocab.tokenizer().vocabSize();
            if (c.has("vocab_size") && c.getInt("vocab_size") != ids) {
                throw new CheckpointException(tokenizerFile + " with the SID tokens of codebook sizes " + Arrays.toString(codec.codebookSizes())
                        + " gives " + ids + " token ids, the reasoner was saved with " + c.getInt("vocab_size"));
            }
            LanguageModel model = modelLoader.apply(dir);
            // A word model is built for exactly its vocabulary; a pretrained HF model may pad its embedding beyond it.
            if (model.vocabSize() < ids || (name.equals(VOCAB_FILE) && model.vocabSize() != ids)) {
                throw new CheckpointException(dir + ": the model's embedding (model.embed_tokens.weight) has " + model.vocabSize() + " rows, but "
                        + tokenizerFile + " with the SID tokens gives " + ids + " token ids");
            }
            // The stored words are already each item's prompt words; as titles they reproduce the same prompts.
            ItemMetadata words = new ItemMetadata(itemWords.toArray(String[]::new), new int[itemWords.size()][], null);
            return new SidReasoner(model, vocab, new ReasonerTexts(codec, words, c.getInt("history_items"), c.getInt("title_words")),
                    new Options(c.getDouble("temperature"), c.getInt("max_think_tokens")));
        } catch (RuntimeException e) {
            closeQuietly(base, e); // an HF tokenizer holds native memory that no reasoner will own
            throw e;
        }
    }

    private static void closeQuietly(TextTokenizer tokenizer, RuntimeException failure) {
        if (tokenizer instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                failure.addSuppressed(e);
            }
        }
    }

    private static TextTokenizer readTokenizer(Path file, Function<Path, ? extends TextTokenizer> loader) {
        try {
            return loader.apply(file);
        } catch (CheckpointException e) {
            throw e.getMessage().contains(file.toString()) ? e : new CheckpointException(file + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            throw new CheckpointException("cannot load tokenizer " + file + ": " + e.getMessage(), e);
        }
    }

    static String sha256(Path file) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
        }
    }

    /** Releases the tokenizer's native resources when it has any (Hugging Face tokenizers do). */
    @Override
    public void close() {
        if (vocab.tokenizer().base() instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                throw new IllegalStateException("cannot close the tokenizer", e);
            }
        }
    }
}

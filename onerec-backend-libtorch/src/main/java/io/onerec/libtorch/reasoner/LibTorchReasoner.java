package io.onerec.libtorch.reasoner;

import io.onerec.api.ReasoningPath;
import io.onerec.api.SemanticId;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.Reasoner;
import io.onerec.api.UserHistory;
import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.api.checkpoint.JsonConfig;
import io.onerec.api.data.ItemMetadata;

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

/**
 * OneRec-Think inference on LibTorch: per user, sample reasoning paths (temperature sampling of the rationale
 * until {@code </think>}), then after each path beam-search the first SID codes under the codec's prefix trie.
 *
 * <p>Not thread-safe for concurrent calls on one instance only in the sense that they share nothing mutable but
 * the model's read-only weights; each call has its own random generator seeded from {@code seed}.
 */
public final class LibTorchReasoner implements Reasoner {
    public static final String REASONER_FILE = "reasoner.json";
    public static final String VOCAB_FILE = "vocab.txt";

    /** Sampling settings of the rationales. */
    public record Options(double temperature, int maxThinkTokens) {
        public Options {
            if (temperature <= 0 || maxThinkTokens < 1) throw new IllegalArgumentException("temperature > 0 and maxThinkTokens >= 1 required");
        }

        public static Options defaults() {
            return new Options(1.0, 32);
        }
    }

    private final QwenModel model;
    private final SidVocabulary vocab;
    private final ReasonerTexts texts;
    private final Options options;
    private final ReasonerDecoding decoding;

    public LibTorchReasoner(QwenModel model, SidVocabulary vocab, ReasonerTexts texts, Options options) {
        if (!Arrays.equals(vocab.codebookSizes(), texts.codec().codebookSizes())) {
            throw new IllegalArgumentException("vocabulary SID levels " + Arrays.toString(vocab.codebookSizes())
                    + " differ from the codec's " + Arrays.toString(texts.codec().codebookSizes()));
        }
        this.model = model;
        this.vocab = vocab;
        this.texts = texts;
        this.options = options;
        this.decoding = new ReasonerDecoding(model, vocab);
    }

    public QwenModel model() {
        return model;
    }

    public SidVocabulary vocabulary() {
        return vocab;
    }

    @Override
    public List<ReasoningPath> reason(UserHistory user, int paths, int prefixesPerPath, int prefixLength, long seed) {
        if (paths < 1 || prefixesPerPath < 1) throw new IllegalArgumentException("paths and prefixesPerPath must be >= 1");
        int[] prompt = vocab.tokenizer().encode(texts.prompt(user));
        List<ReasonerDecoding.Rationale> rationales = decoding.sample(prompt, paths, options.temperature(), options.maxThinkTokens(), new Random(seed));
        List<ReasoningPath> out = new ArrayList<>(paths);
        for (ReasonerDecoding.Rationale r : rationales) {
            int[] context = ReasonerTexts.concat(ReasonerTexts.concat(prompt, r.tokens()), new int[]{vocab.itemBegin()});
            List<SemanticId> prefixes = decoding.beamSearch(context, codec().trie(), prefixesPerPath, prefixLength).stream()
                    .map(ReasonerDecoding.SidBeam::codes).toList();
            int[] inner = Arrays.copyOfRange(r.tokens(), 1, r.tokens().length - 1);   // without <think> and </think>
            out.add(new ReasoningPath(vocab.tokenizer().decode(inner), prefixes, r.logProb()));
        }
        return out;
    }

    /**
     * The reasoner as a recommender on its own: after each of {@code paths} sampled rationales, beam-search full
     * SIDs with width {@code beam}; an item's score is its best log-probability over paths; top {@code k} items.
     */
    public int[] recommend(UserHistory user, int paths, int beam, int k, long seed) {
        int[] prompt = vocab.tokenizer().encode(texts.prompt(user));
        Map<Integer, Double> best = new HashMap<>();
        for (ReasonerDecoding.Rationale r : decoding.sample(prompt, paths, options.temperature(), options.maxThinkTokens(), new Random(seed))) {
            int[] context = ReasonerTexts.concat(ReasonerTexts.concat(prompt, r.tokens()), new int[]{vocab.itemBegin()});
            for (ReasonerDecoding.SidBeam b : decoding.beamSearch(context, codec().trie(), beam, codec().levels())) {
                best.merge(codec().itemOf(b.codes()), b.logProb(), Math::max);
            }
        }
        return best.entrySet().stream().sorted(Map.Entry.<Integer, Double>comparingByValue().reversed())
                .limit(k).mapToInt(Map.Entry::getKey).toArray();
    }

    @Override
    public SemanticIdCodec codec() {
        return texts.codec();
    }

    public ReasonerTexts texts() {
        return texts;
    }

    /** Writes the HF-layout model, the word vocabulary and the reasoner's settings. */
    @Override
    public void save(Path dir) {
        if (!(vocab.tokenizer().base() instanceof WordTokenizer words)) {
            throw new UnsupportedOperationException("saving is implemented for the built-in word tokenizer; keep the HF tokenizer.json next to the model yourself");
        }
        model.save(dir);
        words.save(dir.resolve(VOCAB_FILE));
        JsonConfig c = JsonConfig.builder().put("codebook_sizes", vocab.codebookSizes())
                .put("history_items", texts.historyItems()).put("title_words", texts.titleWords())
                .put("temperature", options.temperature()).put("max_think_tokens", options.maxThinkTokens()).build();
        try {
            Files.writeString(dir.resolve(REASONER_FILE), c.toJson());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Loads what {@link #save} wrote; the codec and metadata must be the ones the reasoner was trained with. */
    public static LibTorchReasoner load(Path dir, SemanticIdCodec codec, ItemMetadata metadata) {
        JsonConfig c;
        try {
            c = JsonConfig.parse(Files.readString(dir.resolve(REASONER_FILE)), dir.resolve(REASONER_FILE).toString());
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + dir.resolve(REASONER_FILE) + ": " + e.getMessage(), e);
        }
        if (!Arrays.equals(c.getIntArray("codebook_sizes"), codec.codebookSizes())) {
            throw new CheckpointException(dir + " was trained for codebook sizes " + Arrays.toString(c.getIntArray("codebook_sizes"))
                    + ", the codec has " + Arrays.toString(codec.codebookSizes()));
        }
        SidVocabulary vocab = SidVocabulary.extend(WordTokenizer.load(dir.resolve(VOCAB_FILE)), codec.codebookSizes());
        QwenModel model = QwenModel.load(dir);
        if (model.config().vocabSize() != vocab.tokenizer().vocabSize()) {
            throw new CheckpointException(dir + ": model vocabulary " + model.config().vocabSize() + " != tokenizer vocabulary " + vocab.tokenizer().vocabSize());
        }
        return new LibTorchReasoner(model, vocab, new ReasonerTexts(codec, metadata, c.getInt("history_items"), c.getInt("title_words")),
                new Options(c.getDouble("temperature"), c.getInt("max_think_tokens")));
    }
}

package io.onerec.libtorch.reasoner;

import io.onerec.api.ItemEmbeddings;
import io.onerec.api.UserHistory;
import io.onerec.api.ItemMetadata;
import io.onerec.api.reasoner.QwenConfig;
import io.onerec.api.reasoner.ReasonerTexts;
import io.onerec.api.reasoner.SidVocabulary;
import io.onerec.api.reasoner.TokenExample;
import io.onerec.api.reasoner.WordTokenizer;
import io.onerec.core.codec.ResidualCodec;
import io.onerec.core.codec.ResidualCodecFitter;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A tiny synthetic catalog with titles and attributes, a codec over it, and users whose next item is a fixed
 * function of their last item: learnable by a tiny model within seconds.
 */
final class ReasonerFixture {
    static final int ITEMS = 24;
    final ResidualCodec codec;
    final ItemMetadata metadata;
    final List<UserHistory> users = new ArrayList<>();
    final int[] targets;
    final ReasonerTexts texts;
    final SidVocabulary vocab;

    ReasonerFixture(int userCount, long seed) {
        Random r = new Random(seed);
        // Embeddings from the item's "brand" and "color" so the codec's first level groups similar items.
        int dim = 6;
        float[] data = new float[ITEMS * dim];
        String[] titles = new String[ITEMS];
        int[][] attrs = new int[ITEMS][];
        String[] brands = {"rosa", "lumen", "verde", "noir"}, colors = {"red", "gold", "blue"};
        for (int i = 0; i < ITEMS; i++) {
            data[i * dim + i % 4] = 3f;
            data[i * dim + 4 + i % 2] = 1.5f;
            for (int j = 0; j < dim; j++) data[i * dim + j] += 0.3f * (float) r.nextGaussian();
            titles[i] = brands[i % 4] + " " + colors[i % 3] + " cream model" + i;
            attrs[i] = new int[]{i % 4, 4 + i % 3};
        }
        var cfg = ResidualCodecFitter.Config.of(2, 4, ResidualCodecFitter.Method.KMEANS).withSeed(seed).withThreads(1);
        codec = new ResidualCodecFitter(cfg).fit(new ItemEmbeddings(ITEMS, dim, data)).codec();
        metadata = new ItemMetadata(titles, attrs, null);
        targets = new int[userCount];
        for (int u = 0; u < userCount; u++) {
            int[] h = new int[2 + r.nextInt(3)];
            for (int i = 0; i < h.length; i++) h[i] = r.nextInt(ITEMS);
            users.add(new UserHistory(u, h));
            targets[u] = next(h[h.length - 1]);
        }
        texts = new ReasonerTexts(codec, metadata, 3, 3);
        vocab = SidVocabulary.extend(WordTokenizer.build(texts.vocabularyTexts(users, targets), 1, 500), codec.codebookSizes());
    }

    /** Stage-1 (alignment) examples: every item's description, and every user's next item. */
    List<TokenExample> alignmentExamples() {
        List<TokenExample> out = new ArrayList<>();
        for (int i = 0; i < ITEMS; i++) out.add(texts.descriptionExample(vocab, i));
        for (int u = 0; u < users.size(); u++) out.add(texts.nextItemExample(vocab, users.get(u), targets[u]));
        return out;
    }

    /** Stage-2 (reasoning activation) examples: every user's rationale followed by the next item. */
    List<TokenExample> reasoningExamples() {
        List<TokenExample> out = new ArrayList<>();
        for (int u = 0; u < users.size(); u++) out.add(texts.reasoningExample(vocab, users.get(u), targets[u]));
        return out;
    }

    static int next(int last) {
        return (last * 5 + 1) % ITEMS;
    }

    TorchQwenModel model(long seed) {
        return TorchQwenModel.initialize(QwenConfig.tiny(vocab.tokenizer().vocabSize(), 32, 2, 4, 2), seed);
    }

    /**
     * A Hugging Face {@code tokenizer.json} with a word-level model over {@code [UNK]} (id 0) and {@code words} (ids
     * 1..n), whitespace pre-tokenisation, and Qwen's {@code <think>} / {@code </think>} as added special tokens (ids
     * n+1, n+2): a tokenizer of Qwen's shape whose ids a test can work out by hand.
     */
    static String wordLevelTokenizerJson(String... words) {
        StringBuilder vocab = new StringBuilder("\"[UNK]\":0");
        for (int i = 0; i < words.length; i++) vocab.append(",\"").append(words[i]).append("\":").append(i + 1);
        int think = words.length + 1;
        return "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":["
                + "{\"id\":" + think + ",\"content\":\"<think>\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":true},"
                + "{\"id\":" + (think + 1) + ",\"content\":\"</think>\",\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,\"special\":true}],"
                + "\"normalizer\":null,\"pre_tokenizer\":{\"type\":\"Whitespace\"},\"post_processor\":null,\"decoder\":null,"
                + "\"model\":{\"type\":\"WordLevel\",\"vocab\":{" + vocab + "},\"unk_token\":\"[UNK]\"}}";
    }
}

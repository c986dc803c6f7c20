package io.onerec.tools.text;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.onerec.api.ItemEmbeddings;
import io.onerec.api.ItemMetadata;
import io.onerec.testing.SharedData;
import io.onerec.tools.data.Datasets;
import io.onerec.tools.data.InteractionSequences;
import io.onerec.tools.data.LeaveOneOutSplit;
import io.onerec.tools.embed.ItemEmbeddingBuilder;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** all-MiniLM-L6-v2 through ONNX Runtime on real Amazon Beauty-style titles. */
class OnnxSentenceEncoderTest {
    private static OnnxSentenceEncoder encoder;

    @BeforeAll
    static void load() {
        encoder = OnnxSentenceEncoder.allMiniLmL6v2(2, null);
    }

    @AfterAll
    static void close() {
        encoder.close();
    }

    private static double cos(float[] v, int a, int b, int d) {
        double s = 0;
        for (int k = 0; k < d; k++) s += v[a * d + k] * v[b * d + k];
        return s;
    }

    @Test
    void similarTitlesLieCloserThanUnrelatedOnes() {
        List<String> titles = List.of(
                "nyx mega shine lip gloss plus",                 // 0
                "colorburst lip butter peach parfait",            // 1: another lip product
                "anti dandruff shampoo for dry itchy scalp",      // 2
                "moisturizing conditioner for dry damaged hair",  // 3: another hair product
                "stainless steel eyelash curler");                // 4
        int d = encoder.dim();
        assertEquals(384, d);
        float[] v = encoder.encode(titles);
        for (int i = 0; i < titles.size(); i++) assertEquals(1.0, cos(v, i, i, d), 1e-4, "unit length");
        assertTrue(cos(v, 0, 1) > cos(v, 0, 2), "lip gloss closer to lip butter than to shampoo");
        assertTrue(cos(v, 2, 3) > cos(v, 2, 0), "shampoo closer to conditioner than to lip gloss");
        assertTrue(cos(v, 2, 3) > cos(v, 2, 4), "shampoo closer to conditioner than to an eyelash curler");
    }

    private static double cos(float[] v, int a, int b) {
        return cos(v, a, b, encoder.dim());
    }

    @Test
    void batchingAndOrderDoNotChangeTheVectorsAndBlankTextsAreZero() {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 150; i++) texts.add(i % 7 == 0 ? "" : "item " + i + " " + "matte lipstick long lasting ".repeat(1 + i % 5));
        float[] all = encoder.encode(texts);
        int d = encoder.dim();
        for (int i : new int[]{1, 8, 99, 149}) {
            float[] one = encoder.encode(List.of(texts.get(i)));
            for (int k = 0; k < d; k++) assertEquals(one[k], all[i * d + k], 1e-4, "text " + i + ", dim " + k);
        }
        for (int k = 0; k < d; k++) assertEquals(0f, all[7 * d + k], "blank text 7 gets a zero vector");
        // A text far longer than 128 tokens is truncated, not rejected.
        assertEquals(d, encoder.encode(List.of("lipstick ".repeat(1000))).length);
        assertThrows(NullPointerException.class, () -> encoder.encode(java.util.Arrays.asList("a", null)));
    }

    /**
     * Real Beauty titles: the title of a user's last history item is closer to the title of the held-out item they
     * bought next than a random pair of titles is (the text signal TIGER's semantic IDs are built from). Measured:
     * mean cosine .263 vs .182 over 1,000 pairs (one standard error of the difference is about .006).
     */
    @Test
    void beautyTitlesOfConsecutivePurchasesAreCloserThanRandomPairs() {
        InteractionSequences seqs = Datasets.beauty(SharedData.beauty());
        ItemMetadata meta = Datasets.beautyMetadata(SharedData.beauty(), seqs);
        LeaveOneOutSplit split = LeaveOneOutSplit.of(seqs);
        SplittableRandom rnd = new SplittableRandom(3);
        List<String> texts = new ArrayList<>();
        int pairs = 500;
        for (int k = 0; k < pairs; k++) {
            var ex = split.test().get(rnd.nextInt(split.test().size()));
            int[] h = ex.history().items();
            texts.add(meta.title(h[h.length - 1]));
            texts.add(meta.title(ex.target()));
            texts.add(meta.title(rnd.nextInt(seqs.itemCount())));
            texts.add(meta.title(rnd.nextInt(seqs.itemCount())));
        }
        float[] v = encoder.encode(texts);
        double consecutive = 0, random = 0;
        for (int k = 0; k < pairs; k++) {
            consecutive += cos(v, 4 * k, 4 * k + 1);
            random += cos(v, 4 * k + 2, 4 * k + 3);
        }
        consecutive /= pairs;
        random /= pairs;
        org.slf4j.LoggerFactory.getLogger(OnnxSentenceEncoderTest.class)
                .info("mean title cosine: consecutive purchases {}, random pairs {}", consecutive, random);
        assertTrue(consecutive > random + 0.04, "consecutive " + consecutive + " vs random " + random);
    }

    /** The embedding builder's text option: the encoder's vectors as the content half, the PPMI half beside them. */
    @Test
    void theEmbeddingBuilderPutsTheTextVectorsBesideTheCollaborativeHalf() {
        String[] titles = {"red matte lipstick", "", "argan oil shampoo", "pink lip gloss"};
        ItemMetadata meta = new ItemMetadata(titles, new int[4][], null);
        int[][] train = {{0, 3, 0, 3}, {2, 1, 2, 1}};
        ItemEmbeddings e = new ItemEmbeddingBuilder(new ItemEmbeddingBuilder.Config(4, 2, 2, 1)).build(meta, train, encoder);
        assertEquals(384 + 2, e.dim());
        float[] text = encoder.encode(List.of(titles));
        for (int i : new int[]{0, 2, 3}) {
            double norm = 0;
            for (int d = 0; d < e.dim(); d++) norm += e.get(i, d) * e.get(i, d);
            assertEquals(1.0, norm, 1e-4, "item " + i);
            // The content half is the text vector, scaled alike in every dimension.
            double ratio = e.get(i, 0) / text[i * 384];
            for (int d = 1; d < 384; d += 37) assertEquals(ratio, e.get(i, d) / text[i * 384 + d], 1e-3, "item " + i + ", dim " + d);
        }
        for (int d = 0; d < 384; d++) assertEquals(0f, e.get(1, d), "item 1 has no title: no content half");
    }
}

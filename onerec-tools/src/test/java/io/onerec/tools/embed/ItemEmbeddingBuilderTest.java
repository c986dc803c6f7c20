package io.onerec.tools.embed;

import io.onerec.testing.SharedData;
import io.onerec.api.ItemEmbeddings;
import io.onerec.tools.data.Datasets;
import io.onerec.tools.data.InteractionSequences;
import io.onerec.tools.data.LeaveOneOutSplit;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** On the real Amazon Beauty data. */
class ItemEmbeddingBuilderTest {

    @Test
    void beautyEmbeddingsAreNormalisedAndPlaceCoConsumedItemsTogether() {
        ItemEmbeddings e = BeautyEmbeddings.get();
        assertEquals(12_101, e.count());
        assertEquals(128, e.dim());
        int zero = 0;
        for (int i = 0; i < e.count(); i++) {
            double norm = 0;
            for (int d = 0; d < e.dim(); d++) {
                assertTrue(Float.isFinite(e.get(i, d)));
                norm += e.get(i, d) * e.get(i, d);
            }
            if (norm == 0) zero++;
            else assertEquals(1.0, norm, 1e-4, "item " + i);
        }
        assertEquals(0, zero, "items with an all-zero embedding");

        // Consecutive test targets were never seen by the embedding (held out), yet the (history, target) pairs of the
        // test split should still be more similar than random pairs if the embedding captures content and usage.
        InteractionSequences seqs = Datasets.beauty(SharedData.beauty());
        LeaveOneOutSplit split = LeaveOneOutSplit.of(seqs);
        double pairs = 0, random = 0;
        int count = 0;
        SplittableRandom rnd = new SplittableRandom(1);
        for (var ex : split.test()) {
            int[] h = ex.history().items();
            pairs += cosine(e, h[h.length - 1], ex.target());
            random += cosine(e, rnd.nextInt(e.count()), rnd.nextInt(e.count()));
            count++;
        }
        pairs /= count;
        random /= count;
        org.slf4j.LoggerFactory.getLogger(ItemEmbeddingBuilderTest.class)
                .info("mean cosine: last history item vs held-out test target {}, random pairs {}", pairs, random);
        assertTrue(pairs > random + 0.1, "last history item vs held-out target cosine " + pairs + ", random pairs " + random);
    }

    @Test
    void concatenationWeighsBothHalvesEquallyAndKeepsZeroRowsPlacedByTheOtherHalf() {
        // item 0: both halves present; item 1: the second half is all zeros (e.g. an item without a SASRec row)
        ItemEmbeddings a = new ItemEmbeddings(2, 2, new float[]{3, 4, 0, 2});
        ItemEmbeddings b = new ItemEmbeddings(2, 3, new float[]{0, 0, 10, 0, 0, 0});
        ItemEmbeddings c = ItemEmbeddingBuilder.concatenate(a, b);
        assertEquals(5, c.dim());
        float h = (float) Math.sqrt(0.5);
        float[] row0 = c.row(0), row1 = c.row(1);
        assertArrayEquals(new float[]{0.6f * h, 0.8f * h, 0, 0, h}, row0, 1e-6f);
        assertArrayEquals(new float[]{0, h, 0, 0, 0}, row1, 1e-6f);
        assertThrows(IllegalArgumentException.class,
                () -> ItemEmbeddingBuilder.concatenate(a, new ItemEmbeddings(3, 1, new float[3])));
    }

    private static double cosine(ItemEmbeddings e, int a, int b) {
        double dot = 0;
        for (int d = 0; d < e.dim(); d++) dot += e.get(a, d) * e.get(b, d);
        return dot;
    }
}

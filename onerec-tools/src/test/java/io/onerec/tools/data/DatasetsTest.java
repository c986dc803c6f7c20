package io.onerec.tools.data;

import io.onerec.api.ItemMetadata;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Any sequence file: the format from the file name, metadata only when it lies next to the file. */
class DatasetsTest {

    @Test
    void bareAmazonFormatFileHasSequencesAndNoMetadata(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("Toys.txt");
        Files.writeString(file, "1 10 11 12\n2 11 12 13 14\n");
        InteractionSequences seqs = Datasets.sequences(file);
        assertEquals(2, seqs.userCount());
        assertEquals(5, seqs.itemCount());
        ItemMetadata meta = Datasets.metadata(file, seqs);
        assertEquals(5, meta.itemCount());
        for (int i = 0; i < 5; i++) {
            assertEquals("", meta.title(i));
            assertEquals(0, meta.attributes(i).length);
        }
    }

    /** The S3-Rec Sports and Toys files: attributes next to the sequences, no ASINs or titles. */
    @Test
    void attributesAreReadWithoutTitles(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("Toys.txt");
        Files.writeString(file, "1 10 11 12\n2 11 12 13 14\n");
        Files.writeString(dir.resolve("Toys_item2attributes.json"), "{\"10\": [3, 1], \"13\": [2]}");
        // A titles file alone is not enough: titles are keyed by ASIN, which only user_sequence_asin.txt gives.
        Files.writeString(dir.resolve("item_titles.txt"), "A1 a title\n");
        InteractionSequences seqs = Datasets.sequences(file);
        ItemMetadata meta = Datasets.metadata(file, seqs);
        assertEquals(5, meta.itemCount());
        assertArrayEquals(new int[]{3, 1}, meta.attributes(seqs.itemIndex("10").getAsInt()));
        assertArrayEquals(new int[]{2}, meta.attributes(seqs.itemIndex("13").getAsInt()));
        assertArrayEquals(new int[0], meta.attributes(seqs.itemIndex("11").getAsInt()));
        for (int i = 0; i < 5; i++) assertEquals("", meta.title(i));
        assertEquals(4, meta.attributeCount());
    }

    @Test
    void recBoleInteractionsAreReadByTheirExtension(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("tiny.inter");
        Files.writeString(file, "user_id:token\titem_id:token\trating:float\ttimestamp:float\n"
                + "u1\ta\t5\t1\nu1\tb\t4\t2\nu1\tc\t3\t3\nu2\tb\t1\t1\nu2\tc\t2\t5\nu2\ta\t2\t9\n");
        InteractionSequences seqs = Datasets.sequences(file);
        assertEquals(2, seqs.userCount());
        assertEquals(3, seqs.itemCount());
        assertEquals(3, Datasets.metadata(file, seqs).itemCount());
    }

    @Test
    void missingFileIsNamed(@TempDir Path dir) {
        Path file = dir.resolve("absent.txt");
        var e = assertThrows(io.onerec.api.DataFileException.class, () -> Datasets.sequences(file));
        assertEquals(true, e.getMessage().contains("absent.txt"), e.getMessage());
    }
}

package io.onerec.tools.data;

import io.onerec.api.ItemMetadata;
import io.onerec.api.DataFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AmazonMetadataReaderTest {

    @Test
    void beautyTitlesAttributesAsins() {
        InteractionSequences b = TestData.beauty();
        ItemMetadata m = Datasets.beautyMetadata(TestData.dir(), b);
        assertEquals(12_101, m.itemCount());
        // Line 1 of user_sequence_asin.txt zips raw item 1 with B004756YJA; item_titles.txt line 10917 titles it.
        assertEquals("B004756YJA", m.externalId(0));
        assertEquals("nail lacquer simmer and shimmer", m.title(0));
        assertEquals("B00IC8JBIE", m.externalId(12_100));
        assertEquals("facial creme face cream moisturizer vitamin", m.title(12_100));
        // item_titles.txt line 6923 is "B001LTVF7G " with no words: raw item 10205 has an empty title.
        assertEquals("B001LTVF7G", m.externalId(10_204));
        assertEquals("", m.title(10_204));
        // Beauty_item2attributes.json: "1": [173, 1, 162, 171], "4": [1, 2, 3]
        assertArrayEquals(new int[]{173, 1, 162, 171}, m.attributes(0));
        assertArrayEquals(new int[]{1, 2, 3}, m.attributes(3));
        assertEquals(638, m.attributeCount()); // ids run up to 637
        int withTitle = 0;
        for (int i = 0; i < m.itemCount(); i++) if (!m.title(i).isEmpty()) withTitle++;
        assertEquals(12_100, withTitle);
    }

    @Test
    void inconsistentFilesFailClearly(@TempDir Path dir) throws IOException {
        Path seq = dir.resolve("Tiny.txt");
        Files.writeString(seq, "1 1 2 3\n2 2 3\n");
        Files.writeString(dir.resolve("item_titles.txt"), "A1 first item\nA2 second\nA3 third\n");
        Files.writeString(dir.resolve("Tiny_item2attributes.json"), "{\"1\": [5], \"3\": [1, 2]}");
        InteractionSequences s = AmazonSequenceReader.read(seq);

        Files.writeString(dir.resolve("user_sequence_asin.txt"), "u1 A1 A2 A3\nu2 A2 A3\n");
        ItemMetadata ok = AmazonMetadataReader.read(seq, s);
        assertEquals("second", ok.title(1));
        assertArrayEquals(new int[]{5}, ok.attributes(0));
        assertArrayEquals(new int[0], ok.attributes(1));
        assertArrayEquals(new int[]{1, 2}, ok.attributes(2));

        Files.writeString(dir.resolve("user_sequence_asin.txt"), "u1 A1 A2 A3\nu2 A2\n");
        assertMessage(seq, s, "user_sequence_asin.txt:2: 1 items, but line 2 of");

        Files.writeString(dir.resolve("user_sequence_asin.txt"), "u1 A1 A2 A3\n");
        assertMessage(seq, s, "has 1 lines");

        Files.writeString(dir.resolve("user_sequence_asin.txt"), "u1 A1 A2 A3\nu2 A2 A3\nu3 A1\n");
        assertMessage(seq, s, "more lines than the 2 users");

        Files.writeString(dir.resolve("user_sequence_asin.txt"), "u1 A1 A2 A3\nu2 A9 A3\n");
        assertMessage(seq, s, "item 2 is ASIN A2 elsewhere but A9 here");

        Files.writeString(dir.resolve("user_sequence_asin.txt"), "u1 A1 A2 A3\nu2 A2 A3\n");
        Files.writeString(dir.resolve("Tiny_item2attributes.json"), "{\"7\": [5]}");
        assertMessage(seq, s, "item id '7' is not in");
        Files.writeString(dir.resolve("Tiny_item2attributes.json"), "{\"1\": [5,");
        assertMessage(seq, s, "malformed JSON");
        // A repeated key must not let its second value silently win.
        Files.writeString(dir.resolve("Tiny_item2attributes.json"), "{\"1\": [5], \"1\": [6]}");
        assertMessage(seq, s, "duplicate key \"1\"");
        // Deep nesting is an error, not a StackOverflowError.
        Files.writeString(dir.resolve("Tiny_item2attributes.json"), "{\"1\": " + "[".repeat(50_000) + "]".repeat(50_000) + "}");
        assertMessage(seq, s, "nesting deeper than");
        // A trailing blank line in the ASIN file is fine.
        Files.writeString(dir.resolve("Tiny_item2attributes.json"), "{\"1\": [5]}");
        Files.writeString(dir.resolve("user_sequence_asin.txt"), "u1 A1 A2 A3\nu2 A2 A3\n\n");
        assertEquals("second", AmazonMetadataReader.read(seq, s).title(1));
    }

    private static void assertMessage(Path seq, InteractionSequences s, String expected) {
        var e = assertThrows(DataFileException.class, () -> AmazonMetadataReader.read(seq, s));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}

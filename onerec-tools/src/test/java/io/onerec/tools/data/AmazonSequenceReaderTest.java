package io.onerec.tools.data;

import io.onerec.api.DataFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AmazonSequenceReaderTest {

    @Test
    void beautyCounts() {
        InteractionSequences b = TestData.beauty();
        assertEquals(22_363, b.userCount());
        assertEquals(12_101, b.itemCount());
        assertEquals(198_502, b.interactionCount());
        assertFalse(b.hasRatings());
        // First line "1 1 2 3 4 5": ids 1..N map to id-1.
        assertArrayEquals(new int[]{0, 1, 2, 3, 4}, b.sequence(0));
        assertEquals("1", b.rawUserId(0));
        assertEquals("5", b.rawItemId(4));
        assertEquals(4, b.itemIndex("5").getAsInt());
        assertTrue(b.itemIndex("12102").isEmpty());
        // Second line "2 6 7 8 9 10 4 11"
        assertArrayEquals(new int[]{5, 6, 7, 8, 9, 3, 10}, b.sequence(1));
        for (int u = 0; u < b.userCount(); u++) {
            assertTrue(b.length(u) >= 5, "5-core data: user " + u + " has " + b.length(u));
        }
    }

    @Test
    void nonContiguousIdsGetDenseIndices(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("Tiny.txt");
        Files.writeString(f, "10 30 7\n11 7 100 30\n");
        InteractionSequences s = AmazonSequenceReader.read(f);
        assertEquals(3, s.itemCount());
        // ascending numeric order: 7 -> 0, 30 -> 1, 100 -> 2 (not string order, where "100" < "30" < "7")
        assertArrayEquals(new int[]{1, 0}, s.sequence(0));
        assertArrayEquals(new int[]{0, 2, 1}, s.sequence(1));
        assertEquals("100", s.rawItemId(2));
        assertEquals(5, s.interactionCount());
    }

    @Test
    void badLinesNameFileAndLine(@TempDir Path dir) throws IOException {
        assertBad(dir, "1 1 2\n2 3 x4\n", ":2: 'x4' is not a non-negative integer id");
        assertBad(dir, "1 1 2\n2\n", ":2: user '2' has no items");
        assertBad(dir, "1 1 2\n\n", ":2: blank line");
        assertBad(dir, "1 1 2\n2 3\n1 4\n", ":3: user '1' appears on more than one line");
        assertBad(dir, "", "no users");
        var missing = assertThrows(DataFileException.class, () -> AmazonSequenceReader.read(dir.resolve("nope.txt")));
        assertTrue(missing.getMessage().contains("nope.txt"), missing.getMessage());
    }

    private static void assertBad(Path dir, String content, String expected) throws IOException {
        Path f = dir.resolve("bad.txt");
        Files.writeString(f, content);
        var e = assertThrows(DataFileException.class, () -> AmazonSequenceReader.read(f));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }
}

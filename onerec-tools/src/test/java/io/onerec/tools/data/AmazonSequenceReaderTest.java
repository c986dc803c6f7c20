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
        assertBad(dir, "1 1 2\n\n2 3\n", ":2: blank line");
        assertBad(dir, "1 1 2\n2 3\n1 4\n", ":3: user '1' appears on more than one line");
        assertBad(dir, "", "no users");
        var missing = assertThrows(DataFileException.class, () -> AmazonSequenceReader.read(dir.resolve("nope.txt")));
        assertTrue(missing.getMessage().contains("nope.txt"), missing.getMessage());
    }

    @Test
    void malformedIdsFailClearlyInsteadOfBeingSilentlyWrong(@TempDir Path dir) throws IOException {
        // "007" and "7" would be two items that sort as one number; "01" and "1" two users.
        assertBad(dir, "1 7 8\n2 007 8\n", "item ids '7' and '007' are the same number");
        assertBad(dir, "1 7 8\n01 7 9\n", "user ids '1' and '01' are the same number");
        // A huge corrupt token is cut in the message, not copied whole.
        String token = "x".repeat(200_000);
        Path f = dir.resolve("huge.txt");
        Files.writeString(f, "1 2 3\n2 " + token + "\n");
        var e = assertThrows(DataFileException.class, () -> AmazonSequenceReader.read(f));
        assertTrue(e.getMessage().length() < 500 && e.getMessage().contains(":2:"), e.getMessage().length() + " chars");
        // Ids past the long range are not ids.
        assertBad(dir, "1 2 99999999999999999999\n", "is not a non-negative integer id");
    }

    @Test
    void trailingBlankLinesAndNineteenDigitIdsAreFine(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("Ok.txt");
        Files.writeString(f, "1 9223372036854775807 5\n2 5 1000000000000000000\n\n  \n");
        InteractionSequences s = AmazonSequenceReader.read(f);
        assertEquals(2, s.userCount());
        assertEquals(3, s.itemCount());
        assertEquals("9223372036854775807", s.rawItemId(2));
        assertArrayEquals(new int[]{2, 0}, s.sequence(0));
    }

    private static void assertBad(Path dir, String content, String expected) throws IOException {
        Path f = dir.resolve("bad.txt");
        Files.writeString(f, content);
        var e = assertThrows(DataFileException.class, () -> AmazonSequenceReader.read(f));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }
}

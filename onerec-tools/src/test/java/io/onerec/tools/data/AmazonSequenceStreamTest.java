package io.onerec.tools.data;

import io.onerec.api.DataFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Streaming a sequence file gives what {@link AmazonSequenceReader#read} gives, user by user, id by id. */
class AmazonSequenceStreamTest {

    @Test
    void beautyStreamsAsItReads() {
        Path file = Datasets.beautySequences(TestData.dir());
        InteractionSequences read = TestData.beauty();
        ItemIndex scanned = ItemIndex.scan(file), ofData = ItemIndex.of(read);
        assertEquals(read.itemCount(), scanned.size());
        for (int i = 0; i < read.itemCount(); i++) {
            assertEquals(read.rawItemId(i), scanned.rawId(i));
            assertEquals(read.rawItemId(i), ofData.rawId(i));
        }
        assertSameAsRead(file, read, scanned);
        assertSameAsRead(file, read, ofData);
    }

    @Test
    void nonContiguousPaddedAndHugeIdsMapAsTheReaderMapsThem(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("Tiny.txt");
        Files.writeString(f, "10 30 100\n 11\t007  100 30 \n12 9223372036854775807 30\r\n\n");
        InteractionSequences read = AmazonSequenceReader.read(f);
        ItemIndex index = ItemIndex.scan(f);
        assertEquals(4, index.size());
        assertEquals("007", index.rawId(0));
        assertEquals("9223372036854775807", index.rawId(3));
        assertEquals(-1, index.indexOf(8));
        assertSameAsRead(f, read, index);
        assertSameAsRead(f, read, ItemIndex.of(read));
    }

    @Test
    void badLinesNameFileAndLine(@TempDir Path dir) throws IOException {
        assertBad(dir, "1 1 2\n2 3 x4\n", ItemIndex::scan, ":2: 'x4' is not a non-negative integer id");
        assertBad(dir, "1 1 2\n2\n", ItemIndex::scan, ":2: user '2' has no items");
        assertBad(dir, "1 1 2\nu2 3\n", ItemIndex::scan, ":2: 'u2' is not a non-negative integer id");
        assertBad(dir, "1 1 2\n\n2 3\n", ItemIndex::scan, ":2: blank line");
        assertBad(dir, "1 2 99999999999999999999\n", ItemIndex::scan, ":1: '99999999999999999999' is not a non-negative integer id");
        assertBad(dir, "1 2 00000000000000000001\n", ItemIndex::scan, "is not a non-negative integer id");
        assertBad(dir, "1 7 8\n2 007 8\n", ItemIndex::scan, "item ids '7' and '007' are the same number");
        assertBad(dir, "1 007 8\n2 7 8\n", ItemIndex::scan, "item ids '007' and '7' are the same number");
        assertBad(dir, "", ItemIndex::scan, "no users");
        // An id outside the index the file is streamed through: the file does not belong to that catalog.
        ItemIndex small = ItemIndex.scan(write(dir.resolve("small.txt"), "1 1 2 3\n"));
        assertBad(dir, "1 1 2\n2 3 4\n", f -> {
            try (AmazonSequenceStream in = AmazonSequenceStream.open(f)) {
                while (in.next()) in.denseItems(small);
            }
            return null;
        }, ":2: item '4' is not in the item index (3 items)");
        var missing = assertThrows(DataFileException.class, () -> AmazonSequenceStream.open(dir.resolve("nope.txt")));
        assertTrue(missing.getMessage().contains("nope.txt"), missing.getMessage());
    }

    @Test
    void aUserOnTwoLinesIsTwoUsersWhenStreamed(@TempDir Path dir) throws IOException {
        // Documented: refusing it would need a set of every user id, memory that grows with the file.
        Path f = write(dir.resolve("dup.txt"), "1 1 2\n1 3 4\n");
        try (AmazonSequenceStream in = AmazonSequenceStream.open(f)) {
            assertTrue(in.next());
            assertEquals(0, in.user());
            assertTrue(in.next());
            assertEquals(1, in.user());
            assertFalse(in.next());
            assertThrows(IllegalStateException.class, in::user);
        }
    }

    @Test
    void indexOfDataWithNonNumericIdsIsRefused() {
        InteractionSequences words = new InteractionSequences("words", new int[][]{{0, 1}}, null, new String[]{"u"}, new String[]{"a", "b"});
        var e = assertThrows(IllegalArgumentException.class, () -> ItemIndex.of(words));
        assertTrue(e.getMessage().contains("'a' is not a number"), e.getMessage());
    }

    private static void assertSameAsRead(Path file, InteractionSequences read, ItemIndex index) {
        int u = 0;
        try (AmazonSequenceStream in = AmazonSequenceStream.open(file)) {
            while (in.next()) {
                assertEquals(u, in.user());
                assertArrayEquals(read.sequence(u), in.denseItems(index), "user " + u);
                u++;
            }
        }
        assertEquals(read.userCount(), u);
    }

    private static void assertBad(Path dir, String content, Function<Path, ?> reader, String expected) throws IOException {
        Path f = write(dir.resolve("bad.txt"), content);
        var e = assertThrows(DataFileException.class, () -> reader.apply(f));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }

    private static Path write(Path f, String content) throws IOException {
        Files.writeString(f, content);
        return f;
    }
}

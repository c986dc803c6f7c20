package io.onerec.tools.data;

import io.onerec.api.ItemMetadata;
import io.onerec.api.DataFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecBoleAtomicReaderTest {

    @Test
    void movieLensCounts() {
        InteractionSequences ml = TestData.movieLens();
        assertEquals(943, ml.userCount());
        assertEquals(1_682, ml.itemCount());
        assertEquals(100_000, ml.interactionCount());
        assertTrue(ml.hasRatings());
        assertEquals("1", ml.rawUserId(0));
        assertEquals("1", ml.rawItemId(0));
        assertEquals("1682", ml.rawItemId(1_681));
        double sum = 0;
        for (int u = 0; u < ml.userCount(); u++) {
            assertTrue(ml.length(u) >= 20, "every MovieLens-100K user rated at least 20 movies");
            for (float r : ml.ratings(u)) {
                assertTrue(r >= 1 && r <= 5);
                sum += r;
            }
        }
        // The mean rating of ML-100K is 3.52986.
        assertEquals(3.52986, sum / 100_000, 1e-5);
    }

    /** Re-derives one user's sequence straight from the file and compares. */
    @Test
    void userSequenceIsTimeOrderedWithRatings() throws IOException {
        InteractionSequences ml = TestData.movieLens();
        List<long[]> rows = new ArrayList<>(); // {timestamp, line, item, rating}
        List<String> lines = Files.readAllLines(Datasets.movieLens100kInteractions(TestData.dir()));
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split("\t");
            if (f[0].equals("196")) {
                rows.add(new long[]{Long.parseLong(f[3]), i, Long.parseLong(f[1]), Long.parseLong(f[2])});
            }
        }
        rows.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        int user = 195; // users 1..943 -> 0..942
        assertEquals("196", ml.rawUserId(user));
        int[] seq = ml.sequence(user);
        float[] ratings = ml.ratings(user);
        assertEquals(rows.size(), seq.length);
        for (int i = 0; i < seq.length; i++) {
            assertEquals(rows.get(i)[2] - 1, seq[i], "position " + i);
            assertEquals(rows.get(i)[3], ratings[i], 0f, "position " + i);
        }
    }

    @Test
    void movieLensTitlesAndGenres() {
        InteractionSequences ml = TestData.movieLens();
        ItemMetadata m = Datasets.movieLens100kMetadata(TestData.dir(), ml);
        assertEquals(1_682, m.itemCount());
        assertEquals("Toy Story", m.title(0));
        // "Animation Children's Comedy": genre ids are assigned in order of first appearance, so Toy Story's are 0, 1, 2.
        assertArrayEquals(new int[]{0, 1, 2}, m.attributes(0));
        assertEquals("Children's", m.attributeName(1));
        assertEquals(19, m.attributeCount()); // 18 genres plus "unknown"
        assertFalse(m.hasExternalIds());
    }

    @Test
    void tiesKeepFileOrderAndRatingsAreOptional(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("t.inter");
        Files.writeString(f, "user_id:token\titem_id:token\trating:float\ttimestamp:float\n"
                + "u2\ta\t5\t300\nu1\tc\t1\t20\nu1\tb\t2\t10\nu1\ta\t3\t20\n");
        InteractionSequences s = RecBoleAtomicReader.readInteractions(f, true);
        // items a, b, c (string order, ids are not numeric) -> 0, 1, 2; users u1 -> 0, u2 -> 1
        assertArrayEquals(new int[]{1, 2, 0}, s.sequence(0)); // b@10, then c and a tie at 20: file order c, a
        assertArrayEquals(new float[]{2, 1, 3}, s.ratings(0));
        assertArrayEquals(new int[]{0}, s.sequence(1));
        InteractionSequences noRatings = RecBoleAtomicReader.readInteractions(f, false);
        assertFalse(noRatings.hasRatings());
        assertThrows(IllegalStateException.class, () -> noRatings.ratings(0));
    }

    @Test
    void badLinesNameFileAndLine(@TempDir Path dir) throws IOException {
        String header = "user_id:token\titem_id:token\trating:float\ttimestamp:float\n";
        assertBad(dir, header + "1\t2\t3\t100\n1\t2\t3\n", ":3: 3 fields, header has 4");
        assertBad(dir, header + "1\t2\tgood\t100\n", ":2: bad rating 'good'");
        assertBad(dir, header + "1\t2\t3\tyesterday\n", ":2: bad timestamp 'yesterday'");
        assertBad(dir, header + "1\t2\t3\t100\n\n1\t3\t3\t200\n", ":3: blank line");
        assertBad(dir, header + "1\t7\t3\t100\n1\t07\t3\t200\n", "item ids '7' and '07' are the same number");
        assertBad(dir, header + "01\t7\t3\t100\n1\t8\t3\t200\n", "user ids '1' and '01' are the same number");
        String huge = "9".repeat(100_000) + "x";
        Path f = dir.resolve("huge.inter");
        Files.writeString(f, header + "1\t2\t" + huge + "\t100\n");
        var e = assertThrows(DataFileException.class, () -> RecBoleAtomicReader.readInteractions(f, true));
        assertTrue(e.getMessage().length() < 500 && e.getMessage().contains(":2: bad rating"), e.getMessage().length() + " chars");
        assertBad(dir, "user_id:token\trating:float\n1\t3\n", ":1: header has no 'item_id' field");
        assertBad(dir, "user_id\titem_id\n1\t3\n", ":1: header field 'user_id' is not of the form name:type");
        assertBad(dir, header, "no interactions");
    }

    @Test
    void trailingBlankLinesAreIgnored(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("ok.inter");
        Files.writeString(f, "user_id:token\titem_id:token\ttimestamp:float\n1\t2\t10\n1\t3\t20\n\n\n");
        InteractionSequences s = RecBoleAtomicReader.readInteractions(f, false);
        assertEquals(1, s.userCount());
        assertEquals(2, s.interactionCount());
    }

    private static void assertBad(Path dir, String content, String expected) throws IOException {
        Path f = dir.resolve("bad.inter");
        Files.writeString(f, content);
        var e = assertThrows(DataFileException.class, () -> RecBoleAtomicReader.readInteractions(f, true));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains(f.toString()), e.getMessage());
    }
}

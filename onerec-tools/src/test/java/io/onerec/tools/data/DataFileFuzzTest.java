package io.onerec.tools.data;

import io.onerec.api.DataFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded corruptions of small valid sequence files (Amazon format and RecBole .inter): every variant must either read
 * or fail with a {@link DataFileException} that names the file and stays short. Any other exception (a
 * NumberFormatException, an ArrayIndexOutOfBoundsException, an OutOfMemoryError, a StackOverflowError) or a hang
 * fails the test. {@code -Donerec.fuzzVariants=N -Donerec.fuzzSeed=S} run more.
 */
class DataFileFuzzTest {
    private static final String AMAZON = "1 2 3 4\n2 3 4 5 6\n3 2 6\n10 11 2 3\n";
    private static final String RECBOLE = "user_id:token\titem_id:token\trating:float\ttimestamp:float\n"
            + "1\t2\t4\t100\n1\t3\t5\t200\n2\t3\t1\t150\n2\t4\t3.5\t160\n3\t2\t2\t10\n";
    /** What corruption inserts: separators, signs, exponents, NUL, non-ASCII, brackets, long digit runs. */
    private static final String[] NASTY = {"\t", " ", "\n", "\r\n", "-", "+", "e", "1e400", "NaN", "\0", "é", "[", "{",
            "0", "007", "99999999999999999999", ":", "x".repeat(5_000), "9".repeat(30), "\n\n"};

    @TempDir
    Path tmp;

    @Test
    void amazonSequenceFilesReadOrFailWithADataFileException() {
        fuzz(AMAZON, "seq.txt", AmazonSequenceReader::read);
    }

    @Test
    void recBoleInteractionFilesReadOrFailWithADataFileException() {
        fuzz(RECBOLE, "data.inter", f -> RecBoleAtomicReader.readInteractions(f, true));
    }

    private void fuzz(String valid, String name, Consumer<Path> read) {
        int variants = Integer.getInteger("onerec.fuzzVariants", 300);
        SplittableRandom rnd = new SplittableRandom(Long.getLong("onerec.fuzzSeed", 17));
        Path file = tmp.resolve(name);
        int[] outcome = new int[2]; // read, rejected
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
            for (int v = 0; v < variants; v++) {
                String content = corrupt(valid, rnd);
                Files.writeString(file, content, StandardCharsets.UTF_8);
                try {
                    read.accept(file);
                    outcome[0]++;
                } catch (DataFileException e) {
                    outcome[1]++;
                    assertTrue(e.getMessage().contains(file.toString()), "variant " + v + ": " + e.getMessage());
                    assertTrue(e.getMessage().length() < 2_000, "variant " + v + ": message of " + e.getMessage().length() + " chars: " + escape(e.getMessage()));
                } catch (RuntimeException | Error e) {
                    fail("variant " + v + " (" + escape(content) + ") threw " + e, e);
                }
            }
            return null;
        });
        // Both outcomes occur, so the corruptions neither all miss nor all break the format.
        assertTrue(outcome[0] > 0 && outcome[1] > 0, "read " + outcome[0] + ", rejected " + outcome[1]);
    }

    /** One to three edits: replace, insert or delete a span, truncate, or duplicate a line. */
    static String corrupt(String s, SplittableRandom rnd) {
        StringBuilder b = new StringBuilder(s);
        for (int edits = 1 + rnd.nextInt(3); edits > 0 && !b.isEmpty(); edits--) {
            int at = rnd.nextInt(b.length());
            switch (rnd.nextInt(5)) {
                case 0 -> b.replace(at, Math.min(b.length(), at + 1 + rnd.nextInt(3)), NASTY[rnd.nextInt(NASTY.length)]);
                case 1 -> b.insert(at, NASTY[rnd.nextInt(NASTY.length)]);
                case 2 -> b.delete(at, Math.min(b.length(), at + 1 + rnd.nextInt(4)));
                case 3 -> b.setLength(at);
                default -> {
                    int end = b.indexOf("\n", at);
                    if (end < 0) end = b.length();
                    int start = b.lastIndexOf("\n", end - 1) + 1;
                    b.insert(end, "\n" + b.substring(start, end));
                }
            }
        }
        return b.toString();
    }

    private static String escape(String s) {
        String t = s.length() > 200 ? s.substring(0, 200) + "..." : s;
        return t.replace("\n", "\\n").replace("\t", "\\t").replace("\0", "\\0");
    }
}

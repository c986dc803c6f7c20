package io.onerec.libtorch.generator;

import io.onerec.api.DataFileException;
import io.onerec.tools.data.AmazonSequenceReader;
import io.onerec.tools.data.InteractionSequences;
import io.onerec.tools.data.ItemIndex;
import io.onerec.tools.data.LeaveOneOutSplit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A streamed epoch is the in-memory path's windows (read, leave-one-out split, windows) in a seeded order: the same
 * multiset, every epoch, whatever the buffer; the same order for the same seed and epoch.
 */
class StreamingWindowsTest {
    private static final int MAX_HISTORY = 5;

    @Test
    void anEpochYieldsExactlyTheInMemoryWindows(@TempDir Path dir) throws IOException {
        Path file = writeSequences(dir.resolve("seqs.txt"), 300, 5);
        List<SequenceExample> inMemory = inMemoryWindows(file);
        Map<String, Integer> expected = multiset(inMemory);
        for (boolean scanIndex : new boolean[]{true, false}) {
            ItemIndex index = scanIndex ? ItemIndex.scan(file) : ItemIndex.of(AmazonSequenceReader.read(file));
            for (int buffer : new int[]{1, 7, 100, inMemory.size(), 10 * inMemory.size()}) {
                StreamingWindows source = StreamingWindows.open(file, index, MAX_HISTORY, buffer);
                assertEquals(inMemory.size(), source.windowCount());
                assertEquals(inMemory.stream().mapToLong(SequenceExample::targets).sum(), source.targetCount());
                for (int epoch = 1; epoch <= 2; epoch++) {
                    assertEquals(expected, multiset(epoch(source, 3, epoch)), "buffer " + buffer + ", epoch " + epoch);
                }
            }
        }
    }

    @Test
    void validationAndTestTargetsAreNeverInAWindow(@TempDir Path dir) throws IOException {
        // Every item of a user is distinct, so an item identifies its position in the user's sequence.
        Path file = dir.resolve("distinct.txt");
        Random r = new Random(3);
        List<int[]> seqs = new ArrayList<>();
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            int next = 1;
            for (int u = 0; u < 200; u++) {
                int[] s = new int[1 + r.nextInt(30)];
                StringBuilder line = new StringBuilder().append(u + 1);
                for (int i = 0; i < s.length; i++) line.append(' ').append(s[i] = next++);
                seqs.add(s);
                w.write(line.append('\n').toString());
            }
        }
        ItemIndex index = ItemIndex.scan(file);
        long targets = 0;
        var windows = StreamingWindows.open(file, index, MAX_HISTORY, 50).epoch(1, 1);
        while (windows.hasNext()) {
            SequenceExample w = windows.next();
            int[] s = seqs.get((int) w.userId());
            for (int item : w.items()) {
                int pos = (int) (Long.parseLong(index.rawId(item)) - s[0]);
                assertTrue(pos >= 0 && pos < s.length - 2, "user " + w.userId() + ": position " + pos + " of " + s.length + " in a window");
            }
            targets += w.targets();
        }
        // Each training item after the first is a target exactly once: sum over users of max(0, n - 3).
        assertEquals(seqs.stream().mapToLong(s -> Math.max(0, s.length - 3)).sum(), targets);
    }

    @Test
    void theOrderIsSeededPerEpochAndABufferOfOneKeepsTheFileOrder(@TempDir Path dir) throws IOException {
        Path file = writeSequences(dir.resolve("seqs.txt"), 200, 9);
        ItemIndex index = ItemIndex.scan(file);
        StreamingWindows source = StreamingWindows.open(file, index, MAX_HISTORY, 64);
        List<SequenceExample> a = epoch(source, 42, 1);
        assertEquals(keys(a), keys(epoch(source, 42, 1)), "same seed and epoch, same order");
        assertEquals(keys(a), keys(epoch(StreamingWindows.open(file, index, MAX_HISTORY, 64), 42, 1)), "a reopened file, same order");
        assertNotEquals(keys(a), keys(epoch(source, 42, 2)), "each epoch has its own order");
        assertNotEquals(keys(a), keys(epoch(source, 43, 1)), "another seed, another order");
        assertEquals(keys(inMemoryWindows(file)), keys(epoch(StreamingWindows.open(file, index, MAX_HISTORY, 1), 42, 1)));
        assertNotEquals(source.fingerprint(), StreamingWindows.open(file, index, MAX_HISTORY, 65).fingerprint(),
                "the buffer decides the order, so a saved state must not be resumed with another");
    }

    @Test
    void aLocalShuffleMovesWindowsBackAtMostTheBufferSize(@TempDir Path dir) throws IOException {
        Path file = writeSequences(dir.resolve("seqs.txt"), 400, 11);
        List<String> fileOrder = keys(inMemoryWindows(file));
        Map<String, Integer> position = new HashMap<>();
        for (int i = 0; i < fileOrder.size(); i++) position.put(fileOrder.get(i), i);
        int buffer = 20;
        List<String> shuffled = keys(epoch(StreamingWindows.open(file, ItemIndex.scan(file), MAX_HISTORY, buffer), 1, 1));
        int displaced = 0;
        for (int i = 0; i < shuffled.size(); i++) {
            int from = position.get(shuffled.get(i));
            assertTrue(from <= i + buffer - 1, "window " + from + " of the file came out at " + i);
            if (from != i) displaced++;
        }
        assertTrue(displaced > shuffled.size() / 2, displaced + " of " + shuffled.size() + " windows moved");
    }

    @Test
    void aFileChangedDuringTrainingFailsTheEpoch(@TempDir Path dir) throws IOException {
        Path file = writeSequences(dir.resolve("seqs.txt"), 50, 2);
        StreamingWindows source = StreamingWindows.open(file, ItemIndex.scan(file), MAX_HISTORY, 8);
        Files.writeString(file, "9999 3 6 9 12 15\n", java.nio.file.StandardOpenOption.APPEND);
        var e = assertThrows(DataFileException.class, () -> epoch(source, 1, 1));
        assertTrue(e.getMessage().contains("changed while training"), e.getMessage());
    }

    @Test
    void badArgumentsAndFilesWithoutWindowsAreRefused(@TempDir Path dir) throws IOException {
        Path file = writeSequences(dir.resolve("seqs.txt"), 10, 2);
        ItemIndex index = ItemIndex.scan(file);
        assertThrows(IllegalArgumentException.class, () -> StreamingWindows.open(file, index, 0, 8));
        assertThrows(IllegalArgumentException.class, () -> StreamingWindows.open(file, index, MAX_HISTORY, 0));
        Path shortUsers = dir.resolve("short.txt");
        Files.writeString(shortUsers, "1 1 2 3\n2 2\n");
        var e = assertThrows(DataFileException.class, () -> StreamingWindows.open(shortUsers, ItemIndex.scan(shortUsers), MAX_HISTORY, 8));
        assertTrue(e.getMessage().contains("no training windows"), e.getMessage());
    }

    /** The in-memory path: read the whole file, split leave-one-out, cut the training parts into windows. */
    static List<SequenceExample> inMemoryWindows(Path file) {
        InteractionSequences data = AmazonSequenceReader.read(file);
        LeaveOneOutSplit split = LeaveOneOutSplit.of(data, MAX_HISTORY);
        int[][] train = new int[data.userCount()][];
        for (int u = 0; u < train.length; u++) train[u] = split.trainSequence(u);
        return SequenceExample.windows(train, MAX_HISTORY);
    }

    static List<SequenceExample> epoch(WindowSource source, long seed, int epoch) {
        List<SequenceExample> out = new ArrayList<>();
        try (WindowSource.Windows w = source.epoch(seed, epoch)) {
            while (w.hasNext()) out.add(w.next());
        }
        return out;
    }

    /**
     * Users of 1 to 25 items over non-contiguous item ids (multiples of 3, so the index is a real mapping), some users
     * too short for a window, some longer than a window.
     */
    static Path writeSequences(Path file, int users, long seed) throws IOException {
        Random r = new Random(seed);
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            for (int u = 0; u < users; u++) {
                StringBuilder line = new StringBuilder().append(1000 + u);
                int n = 1 + r.nextInt(25);
                for (int i = 0; i < n; i++) line.append(' ').append(3 * (1 + r.nextInt(60)));
                w.write(line.append('\n').toString());
            }
        }
        return file;
    }

    private static String key(SequenceExample e) {
        return e.userId() + ":" + Arrays.toString(e.items());
    }

    private static List<String> keys(List<SequenceExample> windows) {
        return windows.stream().map(StreamingWindowsTest::key).toList();
    }

    private static Map<String, Integer> multiset(List<SequenceExample> windows) {
        Map<String, Integer> m = new HashMap<>();
        for (SequenceExample e : windows) m.merge(key(e), 1, Integer::sum);
        return m;
    }
}

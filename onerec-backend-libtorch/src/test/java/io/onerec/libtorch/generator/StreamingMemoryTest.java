package io.onerec.libtorch.generator;

import io.onerec.tools.data.AmazonSequenceReader;
import io.onerec.tools.data.ItemIndex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedWriter;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The memory bound of streaming: 10M interactions go through {@link StreamingWindows} (item index scan, counting pass,
 * two shuffled epochs) in a JVM with a 64 MB heap, while reading the same file into memory, as the in-memory path
 * does, runs out of that heap. The small -Xmx is the proof; the child reports its counts, which must be every window.
 */
class StreamingMemoryTest {
    private static final long INTERACTIONS = 10_000_000;
    private static final int ITEMS = 200_000, MAX_HISTORY = 20, SHUFFLE_BUFFER = 20_000, EPOCHS = 2;
    private static final String HEAP = "-Xmx64m";

    @Test
    void tenMillionInteractionsStreamInA64MegabyteHeap(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("synthetic.txt");
        long[] expected = writeSynthetic(file);
        long expectedWindows = expected[0], expectedTargets = expected[1];

        Child streamed = runChild("stream", file);
        // The child's counts and peak heap, for the record (README, scale section).
        System.out.println("child JVM " + HEAP + ", " + Files.size(file) / (1 << 20) + " MB file:\n" + streamed.output);
        assertEquals(0, streamed.exitCode, "streaming under " + HEAP + " failed:\n" + streamed.output);
        String[] epochs = streamed.output.lines().filter(l -> l.startsWith("epoch ")).toArray(String[]::new);
        assertEquals(EPOCHS, epochs.length, streamed.output);
        for (String e : epochs) {
            assertTrue(e.endsWith(" windows " + expectedWindows + " targets " + expectedTargets), e + " (expected "
                    + expectedWindows + " windows, " + expectedTargets + " targets)");
        }
        assertTrue(streamed.output.contains("items " + ITEMS + "\n") || streamed.output.contains("items " + ITEMS + "\r\n"), streamed.output);

        // The control: the in-memory reader on the same file and heap cannot hold it.
        Child inMemory = runChild("in-memory", file);
        assertNotEquals(0, inMemory.exitCode, "the in-memory reader fitted in " + HEAP + ", so the heap proves nothing:\n" + inMemory.output);
        assertTrue(inMemory.output.contains("OutOfMemoryError"), inMemory.output);
    }

    /**
     * Users of 3 to 17 items (10 on average) up to exactly {@link #INTERACTIONS} in all, over random ids 1..ITEMS;
     * returns the windows and targets the leave-one-out training parts give, counted here independently of the code
     * under test: a training part of m = n - 2 items has m - 1 targets in ceil((m - 1) / MAX_HISTORY) windows.
     */
    private static long[] writeSynthetic(Path file) throws IOException {
        Random r = new Random(17);
        long written = 0, windows = 0, targets = 0;
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE_NEW)) {
            // Every item appears at least once, so that the index has exactly ITEMS entries.
            for (int user = 1; written < INTERACTIONS; user++) {
                int n = (int) Math.min(3 + r.nextInt(15), INTERACTIONS - written);
                w.write(Integer.toString(user));
                for (int i = 0; i < n; i++) {
                    long k = written + i;
                    int item = k < ITEMS ? (int) k + 1 : 1 + r.nextInt(ITEMS);
                    w.write(' ');
                    w.write(Integer.toString(item));
                }
                w.write('\n');
                written += n;
                int m = n - 2;
                if (m >= 2) {
                    targets += m - 1;
                    windows += (m - 1 + MAX_HISTORY - 1) / MAX_HISTORY;
                }
            }
        }
        return new long[]{windows, targets};
    }

    private record Child(int exitCode, String output) {
    }

    private static Child runChild(String mode, Path file) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, HEAP, "-XX:+UseSerialGC", "-Xss8m",
                "-cp", System.getProperty("java.class.path"), StreamingMemoryTest.class.getName(), mode, file.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(mode + " child did not finish in 120 s");
        }
        return new Child(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    }

    /** The child JVM: {@code stream FILE} streams two epochs and prints counts; {@code in-memory FILE} reads the file whole. */
    public static void main(String[] args) {
        Path file = Path.of(args[1]);
        if (args[0].equals("in-memory")) {
            System.out.println("read " + AmazonSequenceReader.read(file));
            return;
        }
        ItemIndex index = ItemIndex.scan(file);
        System.out.println("items " + index.size());
        StreamingWindows source = StreamingWindows.open(file, index, MAX_HISTORY, SHUFFLE_BUFFER);
        for (int epoch = 1; epoch <= EPOCHS; epoch++) {
            long windows = 0, targets = 0;
            try (WindowSource.Windows w = source.epoch(42, epoch)) {
                while (w.hasNext()) {
                    windows++;
                    targets += w.next().targets();
                }
            }
            System.out.println("epoch " + epoch + " windows " + windows + " targets " + targets);
        }
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) peak += pool.getPeakUsage().getUsed();
        }
        System.out.println("peak heap " + peak / (1 << 20) + " MB of max " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MB");
    }
}

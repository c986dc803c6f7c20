package io.onerec.bench;

import io.onerec.libtorch.generator.SequenceExample;
import io.onerec.libtorch.generator.StreamingWindows;
import io.onerec.libtorch.generator.WindowSource;
import io.onerec.tools.data.AmazonSequenceReader;
import io.onerec.tools.data.InteractionSequences;
import io.onerec.tools.data.ItemIndex;
import io.onerec.tools.data.LeaveOneOutSplit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Training windows per second that one epoch delivers to the trainer, in batches of 64: {@code source=file} reads them
 * with {@link StreamingWindows} (parse, item index, leave-one-out cut, windows, shuffle buffer) from a synthetic
 * sequence file of {@code interactions} interactions (users of 3..17 items over 100,000 items, written at setup);
 * {@code source=memory} is what fitSequences does today with a list (shuffle the whole list, cut it into batches),
 * the windows built at setup from the same file. The {@code windows} counter is the rate to read; the one op per
 * epoch is not. Compare with the trainer's own rate (TrainerThroughput: hundreds to a few thousand windows/s on 2
 * cores) to see whether reading from a file can slow training.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class StreamingWindowsBenchmark {
    private static final int BATCH = 64, MAX_HISTORY = 20, ITEMS = 100_000;

    @Param({"1000000"})
    public long interactions;
    @Param({"file", "memory"})
    public String source;
    @Param({"10000"})
    public int shuffleBuffer;

    private Path dir;
    private WindowSource streamed;
    private List<SequenceExample> inMemory;
    private Random rnd;
    private int epoch;

    /** Windows delivered, reported by JMH as a rate. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Counters {
        public long windows;
    }

    @Setup(Level.Trial)
    public void setup() throws IOException {
        dir = Files.createTempDirectory("onerec-streaming-bench");
        Path file = dir.resolve("synthetic.txt");
        Random r = new Random(17);
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            long written = 0;
            for (int user = 1; written < interactions; user++) {
                int n = (int) Math.min(3 + r.nextInt(15), interactions - written);
                w.write(Integer.toString(user));
                for (int i = 0; i < n; i++) {
                    w.write(' ');
                    w.write(Integer.toString(1 + r.nextInt(ITEMS)));
                }
                w.write('\n');
                written += n;
            }
        }
        if (source.equals("file")) {
            streamed = StreamingWindows.open(file, ItemIndex.scan(file), MAX_HISTORY, shuffleBuffer);
        } else {
            InteractionSequences data = AmazonSequenceReader.read(file);
            LeaveOneOutSplit split = LeaveOneOutSplit.of(data, MAX_HISTORY);
            int[][] train = new int[data.userCount()][];
            for (int u = 0; u < train.length; u++) train[u] = split.trainSequence(u);
            inMemory = new ArrayList<>(SequenceExample.windows(train, MAX_HISTORY));
            rnd = new Random(42);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) Files.delete(f);
        }
        Files.delete(dir);
    }

    /** One epoch, batch by batch. */
    @Benchmark
    public void epoch(Counters counters, Blackhole bh) {
        epoch++;
        if (inMemory != null) {
            Collections.shuffle(inMemory, rnd);
            for (int from = 0; from < inMemory.size(); from += BATCH) {
                List<SequenceExample> batch = inMemory.subList(from, Math.min(inMemory.size(), from + BATCH));
                bh.consume(batch);
                counters.windows += batch.size();
            }
            return;
        }
        try (WindowSource.Windows w = streamed.epoch(42, epoch)) {
            while (w.hasNext()) {
                List<SequenceExample> batch = new ArrayList<>(BATCH);
                while (batch.size() < BATCH && w.hasNext()) batch.add(w.next());
                bh.consume(batch);
                counters.windows += batch.size();
            }
        }
    }
}

package io.onerec.libtorch.generator;

import io.onerec.api.DataFileException;
import io.onerec.tools.data.AmazonSequenceStream;
import io.onerec.tools.data.ItemIndex;
import io.onerec.tools.data.LeaveOneOutSplit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.NoSuchElementException;
import java.util.Random;

/**
 * Training windows read from a sequence file (the Amazon format, {@code user item item ...}) while training, in
 * memory that does not grow with the file: one user's line, that user's windows, and a shuffle buffer of a fixed
 * number of windows. Each epoch is one pass over the file.
 *
 * <p>Per user the windows are those of the in-memory path: the training part of the sequence under the leave-one-out
 * split ({@link LeaveOneOutSplit#trainingPart}: the last two items, the validation and test targets, are never read
 * into a window; users with fewer than {@value LeaveOneOutSplit#MIN_LENGTH} items give none), cut by
 * {@link SequenceExample#windowsOf}, items mapped through the given {@link ItemIndex}, user ids the user's line index
 * as {@code AmazonSequenceReader} numbers them. An epoch yields exactly the windows of
 * {@code SequenceExample.windows(trainSequences, maxHistory)}, in another order.
 *
 * <p>The order is the local shuffle of tf.data's {@code shuffle(buffer)} and WebDataset: the buffer is filled with the
 * first windows of the file, then each window read replaces a uniformly drawn one of the buffer, which is yielded; at
 * the end of the file the buffer is drained in random order. Seeded by (seed, epoch), so every epoch has its own
 * reproducible order. A window can move back at most the buffer's size, while it can move forward arbitrarily far; a
 * buffer of at least {@link #windowCount} windows is a full uniform shuffle (and holds every window). A buffer of 1
 * keeps the file's order.
 *
 * <p>Opening reads the file once to count the windows (fit plans its learning-rate schedule with the count) and to
 * fingerprint them; each epoch checks that it read the same number again, so that a file changed during training
 * fails instead of silently training on other data.
 */
public final class StreamingWindows implements WindowSource {
    private static final Logger LOG = LoggerFactory.getLogger(StreamingWindows.class);

    private final Path file;
    private final ItemIndex items;
    private final int maxHistory;
    private final int shuffleBuffer;
    private final long users;
    private final long windows;
    private final long targets;
    private final String fingerprint;

    private StreamingWindows(Path file, ItemIndex items, int maxHistory, int shuffleBuffer, Tally tally) {
        this.file = file;
        this.items = items;
        this.maxHistory = maxHistory;
        this.shuffleBuffer = shuffleBuffer;
        this.users = tally.users;
        this.windows = tally.windows;
        this.targets = tally.targets;
        this.fingerprint = windows + " windows streamed from " + file.getFileName() + " (max history " + maxHistory
                + ", shuffle buffer " + shuffleBuffer + ") sha256 " + HexFormat.of().formatHex(tally.digest.digest());
    }

    /**
     * Opens {@code file} as a source of windows of at most {@code maxHistory + 1} items, shuffled through a buffer of
     * {@code shuffleBuffer} windows; reads the file once to count and fingerprint them.
     *
     * @param items the dense item index the model was built for, e.g. {@code ItemIndex.of(data)} of the in-memory
     *              data set the codec was fitted on, or {@link ItemIndex#scan} of the file
     */
    public static StreamingWindows open(Path file, ItemIndex items, int maxHistory, int shuffleBuffer) {
        if (maxHistory < 1) throw new IllegalArgumentException("maxHistory must be >= 1, got " + maxHistory);
        if (shuffleBuffer < 1) throw new IllegalArgumentException("shuffleBuffer must be >= 1 window, got " + shuffleBuffer);
        Tally tally = new Tally();
        try (AmazonSequenceStream in = AmazonSequenceStream.open(file)) {
            while (in.next()) {
                tally.users++;
                SequenceExample.windowsOf(in.user(), LeaveOneOutSplit.trainingPart(in.denseItems(items)), maxHistory, tally::add);
            }
        }
        if (tally.windows == 0) throw new DataFileException(file + ": no training windows (every user has fewer than 4 items)");
        StreamingWindows source = new StreamingWindows(file, items, maxHistory, shuffleBuffer, tally);
        LOG.info("{}: {} users, {} windows with {} targets (max history {}), shuffle buffer {}", file, source.users,
                source.windows, source.targets, maxHistory, shuffleBuffer);
        return source;
    }

    /** Counts and a digest of the windows in file order. */
    private static final class Tally {
        final MessageDigest digest = sha256();
        long users, windows, targets;
        private ByteBuffer buf = ByteBuffer.allocate(256);

        void add(SequenceExample w) {
            int[] items = w.items();
            int bytes = 12 + 4 * items.length;
            if (buf.capacity() < bytes) buf = ByteBuffer.allocate(2 * bytes);
            buf.clear();
            buf.putLong(w.userId()).putInt(items.length);
            for (int x : items) buf.putInt(x);
            digest.update(buf.array(), 0, buf.position());
            windows++;
            targets += w.targets();
        }
    }

    @Override
    public long windowCount() {
        return windows;
    }

    /** Targets (next items to predict) over all windows of an epoch. */
    public long targetCount() {
        return targets;
    }

    /** Users in the file, including those too short to give a window. */
    public long userCount() {
        return users;
    }

    public int shuffleBuffer() {
        return shuffleBuffer;
    }

    @Override
    public String fingerprint() {
        return fingerprint;
    }

    @Override
    public Windows epoch(long seed, int epoch) {
        return new EpochWindows(new Random(seed ^ 0x9E3779B97F4A7C15L * epoch));
    }

    /** One pass over the file through the shuffle buffer. */
    private final class EpochWindows implements Windows {
        private final AmazonSequenceStream in = AmazonSequenceStream.open(file);
        private final ArrayDeque<SequenceExample> userWindows = new ArrayDeque<>();
        private final SequenceExample[] buffer = new SequenceExample[(int) Math.min(shuffleBuffer, windows)];
        private final Random rnd;
        private int size;
        private long read;
        private boolean fileDone;

        EpochWindows(Random rnd) {
            this.rnd = rnd;
            try {
                while (size < buffer.length) {
                    SequenceExample w = readWindow();
                    if (w == null) break;
                    buffer[size++] = w;
                }
            } catch (RuntimeException e) {
                in.close();
                throw e;
            }
        }

        /** The file's next window, or null at its end. */
        private SequenceExample readWindow() {
            while (userWindows.isEmpty()) {
                if (fileDone) return null;
                if (!in.next()) {
                    fileDone = true;
                    in.close();
                    if (read != windows) {
                        throw new DataFileException(file + " changed while training: an epoch read " + read + " windows, opening it counted " + windows);
                    }
                    return null;
                }
                SequenceExample.windowsOf(in.user(), LeaveOneOutSplit.trainingPart(in.denseItems(items)), maxHistory, userWindows::add);
            }
            read++;
            return userWindows.poll();
        }

        @Override
        public boolean hasNext() {
            return size > 0;
        }

        @Override
        public SequenceExample next() {
            if (size == 0) throw new NoSuchElementException("the epoch is over");
            int i = rnd.nextInt(size);
            SequenceExample out = buffer[i];
            SequenceExample incoming = readWindow();
            if (incoming != null) {
                buffer[i] = incoming;
            } else {
                buffer[i] = buffer[--size];
                buffer[size] = null;
            }
            return out;
        }

        @Override
        public void close() {
            if (!fileDone) in.close();
            fileDone = true;
            userWindows.clear();
        }
    }

    @Override
    public String toString() {
        return "StreamingWindows[" + file + ": " + windows + " windows, max history " + maxHistory + ", shuffle buffer " + shuffleBuffer + "]";
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

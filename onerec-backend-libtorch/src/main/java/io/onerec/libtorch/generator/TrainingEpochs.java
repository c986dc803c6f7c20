package io.onerec.libtorch.generator;

import io.onerec.tools.data.NextItemExample;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * {@link GeneratorTrainer}'s training data: how many batches an epoch has, each epoch's batches in training order,
 * and what a saved {@link TrainingState} records of that order, so that a resumed run continues where it stopped.
 */
interface TrainingEpochs<T> {
    int batchesPerEpoch();

    /**
     * The batches of {@code epoch} from {@code firstBatch} on; {@code fresh}: the epoch starts now, rather than
     * continuing a resumed one at the point where it stopped.
     */
    Batches<T> batches(int epoch, int firstBatch, boolean fresh);

    String dataFingerprint(List<NextItemExample> validation);

    /** Takes the stopped run's position in the data (after its fingerprint was checked). */
    void restore(TrainingState state);

    /** The order (as indices into the examples) and shuffle generator that a saved state records. */
    int[] savedOrder();

    Random shuffleRng();

    interface Batches<T> extends Iterator<List<T>>, AutoCloseable {
        @Override
        void close();
    }

    /** Examples in a list, shuffled as a whole at the start of every epoch by one generator seeded once per fit. */
    final class InMemory<T> implements TrainingEpochs<T> {
        private final List<T> train;
        private final List<T> order;
        private final int batchSize;
        private Random rnd;
        private Map<T, Integer> trainIndex;

        InMemory(List<T> train, int batchSize, long seed) {
            if (train.isEmpty()) throw new IllegalArgumentException("no training examples");
            this.train = train;
            this.order = new ArrayList<>(train);
            this.batchSize = batchSize;
            this.rnd = new Random(seed);
        }

        @Override
        public int batchesPerEpoch() {
            return (order.size() + batchSize - 1) / batchSize;
        }

        @Override
        public Batches<T> batches(int epoch, int firstBatch, boolean fresh) {
            if (fresh) Collections.shuffle(order, rnd);
            return new Batches<>() {
                private int b = firstBatch;

                @Override
                public boolean hasNext() {
                    return b < batchesPerEpoch();
                }

                @Override
                public List<T> next() {
                    int from = b++ * batchSize;
                    return order.subList(from, Math.min(order.size(), from + batchSize));
                }

                @Override
                public void close() {
                }
            };
        }

        @Override
        public String dataFingerprint(List<NextItemExample> validation) {
            return TrainingState.dataFingerprint(train, validation);
        }

        @Override
        public void restore(TrainingState state) {
            int[] saved = state.order();
            for (int i = 0; i < saved.length; i++) order.set(i, train.get(saved[i]));
            rnd = state.shuffleRng();
        }

        @Override
        public int[] savedOrder() {
            if (trainIndex == null) {
                // By identity: the shuffled order holds the same objects as the list.
                trainIndex = new IdentityHashMap<>(train.size() * 2);
                for (int i = 0; i < train.size(); i++) trainIndex.put(train.get(i), i);
            }
            int[] indices = new int[order.size()];
            for (int i = 0; i < indices.length; i++) indices[i] = trainIndex.get(order.get(i));
            return indices;
        }

        @Override
        public Random shuffleRng() {
            return rnd;
        }
    }

    /** Windows read epoch by epoch from a source; the order is the source's for (seed, epoch). */
    final class Streamed implements TrainingEpochs<SequenceExample> {
        private final WindowSource source;
        private final int batchSize;
        private final long seed;
        private final int batchesPerEpoch;

        Streamed(WindowSource source, int batchSize, long seed) {
            long windows = source.windowCount();
            if (windows == 0) throw new IllegalArgumentException("no training windows in " + source);
            long batches = (windows + batchSize - 1) / batchSize;
            if (batches > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(source + ": " + batches + " batches per epoch, more than an int; use larger batches");
            }
            this.source = source;
            this.batchSize = batchSize;
            this.seed = seed;
            this.batchesPerEpoch = (int) batches;
        }

        @Override
        public int batchesPerEpoch() {
            return batchesPerEpoch;
        }

        @Override
        public Batches<SequenceExample> batches(int epoch, int firstBatch, boolean fresh) {
            WindowSource.Windows windows = source.epoch(seed, epoch);
            try {
                // A resumed epoch reads again what the stopped run had trained on: the order depends on seed and epoch only.
                for (long skip = (long) firstBatch * batchSize; skip > 0 && windows.hasNext(); skip--) windows.next();
            } catch (RuntimeException e) {
                windows.close();
                throw e;
            }
            return new Batches<>() {
                @Override
                public boolean hasNext() {
                    return windows.hasNext();
                }

                @Override
                public List<SequenceExample> next() {
                    List<SequenceExample> batch = new ArrayList<>(batchSize);
                    while (batch.size() < batchSize && windows.hasNext()) batch.add(windows.next());
                    return batch;
                }

                @Override
                public void close() {
                    windows.close();
                }
            };
        }

        @Override
        public String dataFingerprint(List<NextItemExample> validation) {
            return TrainingState.dataFingerprint(source.fingerprint(), validation);
        }

        @Override
        public void restore(TrainingState state) {
        }

        @Override
        public int[] savedOrder() {
            return new int[0];
        }

        @Override
        public Random shuffleRng() {
            // Unused (each epoch's order comes from the seed), saved only because the state format has it.
            return new Random(seed);
        }
    }
}

package io.onerec.libtorch.generator;

import java.util.Iterator;

/**
 * Training windows (see {@link SequenceExample}) that {@link GeneratorTrainer#fitSequences(WindowSource, java.util.List, int)}
 * reads epoch by epoch instead of holding them in a list, e.g. {@link StreamingWindows} from a file of any size.
 * Every epoch yields the same windows, each once, in an order that depends only on the seed and the epoch, so that a
 * run is reproducible and a stopped one can be resumed by skipping the batches it had done.
 */
public interface WindowSource {
    /** Windows in one epoch (fit plans its learning-rate schedule with it). */
    long windowCount();

    /** The windows of epoch {@code epoch} (from 1) in training order, shuffled by {@code seed}. */
    Windows epoch(long seed, int epoch);

    /**
     * What identifies the windows and their order per seed and epoch (e.g. a digest of the windows and the shuffle
     * settings): a saved training state is resumed only with a source of the same fingerprint.
     */
    String fingerprint();

    /** One epoch's windows; close releases what reading them holds (a file). */
    interface Windows extends Iterator<SequenceExample>, AutoCloseable {
        @Override
        void close();
    }
}

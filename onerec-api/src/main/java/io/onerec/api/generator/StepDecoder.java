package io.onerec.api.generator;

import io.onerec.api.UserHistory;

/**
 * The part of a generator that a backend supplies to {@link ConstrainedBeamSearch}: encode a batch of users once,
 * then advance all beam slots by one decoder token per call, keeping a KV cache.
 *
 * <p>Slots are laid out user-major: slot {@code s} belongs to user {@code s / beamWidth}. A session is used by one
 * thread at a time and must be closed to release its caches.
 */
public interface StepDecoder {

    /** Starts decoding for these users with {@code beamWidth} slots each. */
    Session start(java.util.List<UserHistory> users, int beamWidth);

    interface Session extends AutoCloseable {
        /**
         * Feeds one token per slot and returns the restricted log-probabilities of the codes at position
         * {@code level} for every slot, row-major {@code [slots][codebookSize(level)]}; or null when
         * {@code level < 0} (the output is not needed, e.g. after the last code of an item).
         *
         * @param tokens  input token per slot, appended at the next decoder position
         * @param parents for each slot, the slot whose cache it continues (a permutation-with-repeats within each
         *                user's group); {@code parents[s] == s} keeps the cache in place
         * @param level   code position whose log-probabilities are wanted, or -1
         */
        float[] step(int[] tokens, int[] parents, int level);

        @Override
        void close();
    }
}

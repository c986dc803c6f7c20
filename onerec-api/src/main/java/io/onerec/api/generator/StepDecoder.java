package io.onerec.api.generator;

import io.onerec.api.UserHistory;

/**
 * The part of a generator that a backend supplies to {@link ConstrainedBeamSearch}: encode a batch of users once,
 * then advance all beam slots by one decoder token per call, keeping a KV cache.
 *
 * <p>Slots are laid out user-major: slot {@code s} belongs to user {@code s / beamWidth}. A session is used by one
 * thread at a time and must be closed to release its caches.
 *
 * <p>The reasoner's {@link io.onerec.api.reasoner.DecodingState} is the same idea for a language model: one
 * {@code step(tokens, parents, level)} here does what {@code select(parents)} then {@code append(tokens)} do there,
 * followed by reading the logits. They stay two interfaces because the callers differ: beam search over SID levels
 * always keeps {@code users x beamWidth} slots, so the cache gather and the new token fuse into one call per decoder
 * position and the backend returns log-probabilities over just the wanted level's codebook (the generator has one
 * head per level); the reasoner's sampler drops finished rows (its row count shrinks) and needs the full-vocabulary
 * logits before it has chosen the next tokens, so reordering and feeding are separate calls.
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

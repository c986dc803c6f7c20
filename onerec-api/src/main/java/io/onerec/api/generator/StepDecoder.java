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

        /**
         * The item head's logits for the session's users, row-major {@code [users][item_vocab]}: the encoder's state after
         * each user's last history item against the encoder's item-ID embeddings ({@link ItemHead}). Fails for a model
         * without item-ID embeddings, or a decoder that does not implement the head.
         */
        default float[] itemLogits() {
            throw new UnsupportedOperationException(getClass().getName() + " has no item head");
        }

        /**
         * The sparse head ({@link io.onerec.api.DecodingOptions.CodeSoftmax#TRIE}): feeds one token per slot as
         * {@link #step} does, then computes the logits of only the listed codes of each slot and log-softmaxes each
         * slot's list on its own. Slot {@code s}'s codes are {@code codes[offsets[s] .. offsets[s + 1])} (codes at
         * position {@code level}, strictly ascending; an empty list for a slot whose output is not needed, e.g. a dead beam);
         * the result has one log-probability per listed code, in the same flat order, so
         * {@code sum over the slot's list of exp(result) == 1}.
         *
         * <p>The default computes the dense codebook log-probabilities with {@link #step} and renormalises them over
         * each list, which gives the same numbers (a log-softmax is invariant to the shift by the codebook's
         * normaliser) at the dense cost; backends override it to compute only the listed logits. The returned array
         * may be reused by the next call.
         *
         * @param offsets {@code slots + 1} non-decreasing offsets into {@code codes}, starting at 0
         * @param codes   the allowed codes of every slot, concatenated (may be longer than {@code offsets[slots]})
         * @return at least {@code offsets[slots]} log-probabilities (entries beyond are unspecified)
         */
        default float[] stepSparse(int[] tokens, int[] parents, int level, int[] offsets, int[] codes) {
            if (level < 0) throw new IllegalArgumentException("a sparse step needs a code level, got " + level);
            int slots = tokens.length;
            SparseCodes.validate(offsets, codes, slots, Integer.MAX_VALUE, level);
            float[] dense = step(tokens, parents, level);
            if (dense.length % Math.max(1, slots) != 0) {
                throw new IllegalStateException(dense.length + " log-probabilities for " + slots + " slots");
            }
            int k = slots == 0 ? 0 : dense.length / slots;
            SparseCodes.validate(offsets, codes, slots, k, level);
            float[] out = new float[offsets[slots]];
            for (int s = 0; s < slots; s++) {
                for (int i = offsets[s]; i < offsets[s + 1]; i++) out[i] = dense[s * k + codes[i]];
                SparseCodes.logSoftmaxInPlace(out, offsets[s], offsets[s + 1] - offsets[s]);
            }
            return out;
        }

        @Override
        void close();
    }
}

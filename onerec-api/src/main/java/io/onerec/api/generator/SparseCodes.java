package io.onerec.api.generator;

/**
 * Helpers of the sparse head ({@link StepDecoder.Session#stepSparse}): the check of its per-slot code lists and the
 * log-softmax over one list, shared by every backend so that they reject the same inputs with the same messages.
 */
public final class SparseCodes {
    private SparseCodes() {
    }

    /**
     * Checks that {@code offsets} holds {@code slots + 1} non-decreasing offsets from 0 to at most {@code codes.length} (a reused
     * buffer may be longer than the lists) and
     * that every slot's codes are strictly ascending (as the trie stores a node's children; this also rules out a
     * code listed twice, whose probability would count twice) and in {@code [0, codebookSize)}.
     *
     * @throws IllegalArgumentException naming the first offending slot or code
     */
    public static void validate(int[] offsets, int[] codes, int slots, int codebookSize, int level) {
        if (offsets == null || codes == null) throw new IllegalArgumentException("sparse code lists must not be null");
        if (offsets.length != slots + 1) {
            throw new IllegalArgumentException("expected " + (slots + 1) + " code-list offsets for " + slots + " slots, got " + offsets.length);
        }
        if (offsets[0] != 0 || offsets[slots] > codes.length) {
            throw new IllegalArgumentException("code-list offsets must run from 0 to at most " + codes.length + ", got "
                    + offsets[0] + " .. " + offsets[slots]);
        }
        for (int s = 0; s < slots; s++) {
            int from = offsets[s], to = offsets[s + 1];
            if (to < from) throw new IllegalArgumentException("code-list offsets decrease at slot " + s + ": " + from + " > " + to);
            for (int i = from; i < to; i++) {
                int code = codes[i];
                if (code < 0 || code >= codebookSize) {
                    throw new IllegalArgumentException("slot " + s + " lists code " + code + ", outside the " + codebookSize
                            + " codes of level " + level);
                }
                if (i > from && code <= codes[i - 1]) {
                    throw new IllegalArgumentException("slot " + s + " lists code " + code + " after " + codes[i - 1]
                            + " at level " + level + "; each slot's codes must be strictly ascending");
                }
            }
        }
    }

    /**
     * In-place log-softmax of {@code v[off, off + n)}, the normaliser accumulated in double (as the dense head's
     * scalar kernel does); no-op for n = 0.
     */
    public static void logSoftmaxInPlace(float[] v, int off, int n) {
        if (n == 0) return;
        float max = Float.NEGATIVE_INFINITY;
        for (int i = off; i < off + n; i++) max = Math.max(max, v[i]);
        double sum = 0;
        for (int i = off; i < off + n; i++) sum += Math.exp(v[i] - max);
        float shift = (float) (max + Math.log(sum));
        for (int i = off; i < off + n; i++) v[i] -= shift;
    }
}

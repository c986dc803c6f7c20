package io.onerec.libtorch.generator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * A window of consecutive interactions of one user, the training unit of a causal-encoder generator: the encoder
 * reads {@code items[0..n-2]} once and every {@code items[k+1]} is a target whose history is {@code items[0..k]}
 * (the encoder being causal, position k's state depends on nothing after it). One window trains n-1 targets for the
 * price of one encoder pass.
 */
public record SequenceExample(long userId, int[] items) {
    public SequenceExample {
        if (items == null || items.length < 2) {
            throw new IllegalArgumentException("a sequence example needs at least one history item and one target");
        }
        items = items.clone();
    }

    @Override
    public int[] items() {
        return items.clone();
    }

    /** Targets in this window. */
    public int targets() {
        return items.length - 1;
    }

    /**
     * Cuts each user's training sequence into windows of at most {@code maxHistory + 1} items, from the end
     * backwards, so that every item after a user's first is a target exactly once. Targets in a later window see their
     * full history up to {@code maxHistory}; the first targets of an earlier window see only that window's start
     * (the cut costs a little history for users with more than {@code maxHistory + 1} training items).
     *
     * @param sequences per user id, the training part of the sequence (users with fewer than 2 items give nothing)
     */
    public static List<SequenceExample> windows(int[][] sequences, int maxHistory) {
        requireMaxHistory(maxHistory);
        List<SequenceExample> out = new ArrayList<>();
        for (int u = 0; u < sequences.length; u++) windowsOf(u, sequences[u], maxHistory, out::add);
        return out;
    }

    /**
     * The windows of one user's training sequence, as {@link #windows} cuts them, given to {@code out} in that order
     * (for a source that streams users instead of holding them all).
     */
    public static void windowsOf(long userId, int[] sequence, int maxHistory, Consumer<SequenceExample> out) {
        requireMaxHistory(maxHistory);
        int end = sequence.length;
        while (end >= 2) {
            int start = Math.max(0, end - (maxHistory + 1));
            out.accept(new SequenceExample(userId, Arrays.copyOfRange(sequence, start, end)));
            if (start == 0) break;
            end = start + 1;
        }
    }

    private static void requireMaxHistory(int maxHistory) {
        if (maxHistory < 1) throw new IllegalArgumentException("maxHistory must be >= 1, got " + maxHistory);
    }
}

package io.onerec.api.generator;

import io.onerec.api.ItemPrior;
import io.onerec.api.PriorFusion;
import io.onerec.api.UserHistory;

import java.util.Arrays;

/**
 * The generator's own item head as the prior fused into its beam search: the encoder's state after the user's last
 * history item scored against the encoder's item-ID embeddings (tied, as SASRec ties its input and output tables), a
 * softmax over the item-ID rows. Fused with {@code DecodingOptions.withFusion(ItemHead.fusion(weight, background))},
 * each beam expansion adds {@code weight} x the head's log-mass below the expanded prefix, so the semantic-ID decoder
 * and the item head of one model vote together (LIGER's hybrid of generative and dense retrieval) while the
 * constrained search still decides which items are reachable. Unlike an external {@link ItemPrior}, the head is
 * computed by the generator's decoder from the encoder pass the search makes anyway ({@link StepDecoder.Session#itemLogits}),
 * so {@link #evidence(UserHistory)} is never called.
 *
 * <p>Only a model trained with the head (the LibTorch trainer's {@code withItemHead}) has a meaningful one; any model
 * with item-ID embeddings can be asked.
 */
public final class ItemHead implements ItemPrior {
    /** The one instance: "the generator being searched". */
    public static final ItemHead OWN = new ItemHead();
    /** Items of the head's softmax kept per user as evidence (the fusion's background covers the rest). */
    public static final int TOP_K = 100;

    private ItemHead() {
    }

    /** The generator's item head fused at {@code weight}, with {@code backgroundShare} of uniform mass (see {@link PriorFusion}). */
    public static PriorFusion fusion(double weight, double backgroundShare) {
        return new PriorFusion(OWN, weight, backgroundShare);
    }

    /** Never called: the search asks the decoder for the head's logits instead. */
    @Override
    public Evidence evidence(UserHistory history) {
        throw new UnsupportedOperationException("the generator's item head is computed inside its own beam search; fuse it with"
                + " DecodingOptions.withFusion(ItemHead.fusion(weight, background)) on a generator, not as a standalone prior");
    }

    /**
     * One user's evidence from the head's logits {@code logits[offset, offset + items)}: the softmax over the item-ID
     * rows (over the rows not in {@code history} when {@code excludeHistory}), its {@code topK} most probable items,
     * most probable first.
     */
    public static Evidence evidence(float[] logits, int offset, int items, int[] history, boolean excludeHistory, int topK) {
        if (topK < 1) throw new IllegalArgumentException("topK must be >= 1, got " + topK);
        boolean[] out = new boolean[items];
        if (excludeHistory) for (int item : history) if (item >= 0 && item < items) out[item] = true;
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < items; i++) {
            float z = logits[offset + i];
            if (Float.isNaN(z)) throw new IllegalStateException("the item head returned NaN for item " + i);
            if (!out[i]) max = Math.max(max, z);
        }
        if (max == Double.NEGATIVE_INFINITY) return Evidence.empty();
        double sum = 0;
        for (int i = 0; i < items; i++) if (!out[i]) sum += Math.exp(logits[offset + i] - max);
        // The top k by a bounded min-heap over (logit, item): O(items log k).
        int k = Math.min(topK, items);
        int[] heap = new int[k];
        int size = 0;
        for (int i = 0; i < items; i++) {
            if (out[i]) continue;
            if (size < k) {
                heap[size] = i;
                siftUp(heap, size++, logits, offset);
            } else if (before(i, heap[0], logits, offset)) {
                heap[0] = i;
                siftDown(heap, size, logits, offset);
            }
        }
        Integer[] order = new Integer[size];
        for (int i = 0; i < size; i++) order[i] = heap[i];
        Arrays.sort(order, (a, b) -> before(a, b, logits, offset) ? -1 : before(b, a, logits, offset) ? 1 : 0);
        int[] it = new int[size];
        double[] w = new double[size];
        for (int i = 0; i < size; i++) {
            it[i] = order[i];
            w[i] = Math.exp(logits[offset + order[i]] - max) / sum;
        }
        return new Evidence(it, w);
    }

    /** Whether item a ranks before item b: the higher logit, ties to the lower item. */
    private static boolean before(int a, int b, float[] logits, int offset) {
        float x = logits[offset + a], y = logits[offset + b];
        return x > y || x == y && a < b;
    }

    /** Min-heap by rank: the root is the item that ranks last. */
    private static void siftUp(int[] heap, int i, float[] logits, int offset) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (!before(heap[parent], heap[i], logits, offset)) break;
            int t = heap[parent];
            heap[parent] = heap[i];
            heap[i] = t;
            i = parent;
        }
    }

    private static void siftDown(int[] heap, int size, float[] logits, int offset) {
        int i = 0;
        while (true) {
            int l = 2 * i + 1, r = l + 1, last = i;
            if (l < size && before(heap[last], heap[l], logits, offset)) last = l;
            if (r < size && before(heap[last], heap[r], logits, offset)) last = r;
            if (last == i) return;
            int t = heap[last];
            heap[last] = heap[i];
            heap[i] = t;
            i = last;
        }
    }
}

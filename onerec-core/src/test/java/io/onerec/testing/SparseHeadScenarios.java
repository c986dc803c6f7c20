package io.onerec.testing;

import io.onerec.api.DecodingOptions;
import io.onerec.api.GeneratedSession;
import io.onerec.api.Generator;
import io.onerec.api.UserHistory;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.api.generator.StepDecoder;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The sparse-head check every backend must pass: over a whole decode with random parents, tokens and code lists
 * (dead beams included), {@link StepDecoder.Session#stepSparse} gives each listed code the log-probability of the
 * dense step's codebook log-probabilities masked to that slot's list and log-softmaxed again (in double), to 1e-5.
 */
public final class SparseHeadScenarios {
    private SparseHeadScenarios() {
    }

    /**
     * Steps {@code dense} and {@code sparse} (sessions of the same model and users with {@code beam} slots each)
     * through {@code c.maxDecoderLen()} positions; {@code label} names the variant in failure messages.
     */
    public static void assertSparseEqualsMaskedDense(StepDecoder.Session dense, StepDecoder.Session sparse, GeneratorConfig c,
                                                     int users, int beam, String label) {
        int slots = users * beam;
        Random r = new Random(4);
        for (int step = 0; step < c.maxDecoderLen(); step++) {
            int[] tokens = new int[slots], parents = new int[slots];
            for (int slot = 0; slot < slots; slot++) {
                parents[slot] = step == 0 ? slot : (slot / beam) * beam + r.nextInt(beam);
                // Step 0 reads BOS on every slot (the one-row-per-user path); later steps random tokens.
                tokens[slot] = step == 0 ? GeneratorConfig.BOS : 1 + r.nextInt(c.vocabSize() - 1);
            }
            int level = step % c.codeLevels(), k = c.codebookSize(level);
            int[][] lists = randomLists(r, slots, k);
            int[] offsets = lists[0], codes = lists[1];
            float[] full = dense.step(tokens, parents, level).clone();
            float[] lp = sparse.stepSparse(tokens, parents, level, offsets, codes);
            for (int s = 0; s < slots; s++) {
                double max = Double.NEGATIVE_INFINITY, sum = 0;
                for (int i = offsets[s]; i < offsets[s + 1]; i++) max = Math.max(max, full[s * k + codes[i]]);
                for (int i = offsets[s]; i < offsets[s + 1]; i++) sum += Math.exp(full[s * k + codes[i]] - max);
                for (int i = offsets[s]; i < offsets[s + 1]; i++) {
                    assertEquals(full[s * k + codes[i]] - max - Math.log(sum), lp[i], 1e-5,
                            label + " moe=" + c.moeExperts() + " step " + step + " slot " + s + " code " + codes[i]);
                }
            }
        }
    }

    /**
     * A beam as wide as the catalog under the trie softmax is exhaustive: it must return every item, ranked and scored
     * by {@code bruteForce} (each item's log-probability with every level normalised over its trie node's children),
     * and those probabilities sum to one over the catalog.
     */
    public static void assertExhaustiveTrieBeamMatches(Generator gen, UserHistory user, double[] bruteForce) {
        int items = bruteForce.length;
        int[] order = IntStream.range(0, items).boxed()
                .sorted((a, b) -> Double.compare(bruteForce[b], bruteForce[a])).mapToInt(Integer::intValue).toArray();
        List<GeneratedSession> beams = gen.generate(user, DecodingOptions.beams(items).withCodeSoftmax(DecodingOptions.CodeSoftmax.TRIE));
        assertEquals(items, beams.size());
        double total = 0;
        for (int i = 0; i < items; i++) {
            assertEquals(bruteForce[beams.get(i).firstItem()], beams.get(i).logProb(), 1e-4, "score of beam " + i);
            assertEquals(bruteForce[order[i]], beams.get(i).logProb(), 1e-4, "rank " + i);
            total += Math.exp(beams.get(i).logProb());
        }
        assertEquals(1.0, total, 1e-4, "trie-normalised item probabilities sum to one over the catalog");
    }

    /** Per-slot ascending code lists in CSR form ({offsets, codes}), about half the codebook each, a fifth empty. */
    public static int[][] randomLists(Random r, int slots, int k) {
        int[] offsets = new int[slots + 1];
        int[] codes = new int[slots * k];
        int n = 0;
        for (int s = 0; s < slots; s++) {
            offsets[s] = n;
            if (r.nextInt(5) == 0) continue; // empty list: a dead beam
            for (int c = 0; c < k; c++) if (r.nextBoolean()) codes[n++] = c;
        }
        offsets[slots] = n;
        return new int[][]{offsets, Arrays.copyOf(codes, n)};
    }
}

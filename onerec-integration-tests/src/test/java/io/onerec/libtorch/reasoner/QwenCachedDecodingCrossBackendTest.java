package io.onerec.libtorch.reasoner;

import io.onerec.api.reasoner.DecodingState;
import io.onerec.api.reasoner.LanguageModel;
import io.onerec.api.reasoner.QwenCheckpoint;
import io.onerec.api.reasoner.QwenConfig;
import io.onerec.core.vector.KernelProvider;
import io.onerec.cpu.reasoner.CpuQwenModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/**
 * KV-cached Qwen decoding on the LibTorch and the pure-Java backend against the naive reference. The LibTorch-only
 * Qwen tests (forward pass, checkpoint errors, vocabulary growth) are in onerec-backend-libtorch's TorchQwenModelTest.
 */
class QwenCachedDecodingCrossBackendTest {
    @TempDir
    Path dir;

    /**
     * Drives a decoding state through the moves the reasoner makes (a prefix fanned out to 3 rows, an append, a
     * beam reorder that duplicates one row and drops another, another append) and checks every row's logits against
     * the naive full recomputation of that row's sequence.
     */
    private static void assertCachedDecodingMatchesNaive(LanguageModel lm, NaiveQwen naive, int vocab, double tol) {
        int[] prefix = {3, 1, 4, 1, 5};
        int[][] seqs = {prefix.clone(), prefix.clone(), prefix.clone()};
        try (DecodingState s = lm.start(prefix, 3)) {
            assertEquals(3, s.rows());
            assertEquals(5, s.length());
            assertRowsMatch(s, naive, seqs, vocab, tol);
            int[] first = {2, 7, 9 % vocab};
            s.append(first);
            for (int r = 0; r < 3; r++) seqs[r] = append(seqs[r], first[r]);
            assertRowsMatch(s, naive, seqs, vocab, tol);
            s.select(new int[]{2, 0, 0});
            seqs = new int[][]{seqs[2], seqs[0], seqs[0]};
            assertRowsMatch(s, naive, seqs, vocab, tol);
            int[] second = {1, 6, 8};
            s.append(second);
            for (int r = 0; r < 3; r++) seqs[r] = append(seqs[r], second[r]);
            assertEquals(7, s.length());
            assertRowsMatch(s, naive, seqs, vocab, tol);
            assertThrows(IllegalArgumentException.class, () -> s.append(new int[]{1, 2}));
            assertThrows(IllegalArgumentException.class, () -> s.append(new int[]{1, 2, vocab}));
            assertThrows(IllegalArgumentException.class, () -> s.select(new int[]{3}));
        }
    }

    private static int[] append(int[] a, int t) {
        int[] out = java.util.Arrays.copyOf(a, a.length + 1);
        out[a.length] = t;
        return out;
    }

    private static void assertRowsMatch(DecodingState s, NaiveQwen naive, int[][] seqs, int vocab, double tol) {
        float[] logits = s.logits();
        for (int r = 0; r < seqs.length; r++) {
            float[][] all = naive.forward(seqs[r]);
            float[] expected = all[all.length - 1];
            for (int v = 0; v < vocab; v++) {
                assertEquals(expected[v], logits[r * vocab + v], tol * (1 + Math.abs(expected[v])), "row " + r + " token " + v);
            }
        }
    }

    @Test
    void cachedDecodingOnLibTorchAndPureJavaMatchesNaiveJava() throws Exception {
        QwenConfig[] configs = {
                new QwenConfig(13, 16, 24, 2, 4, 2, 6, 10000.0, 1e-6, false, false, true),     // Qwen3, GQA, untied
                new QwenConfig(11, 8, 16, 2, 2, 1, 4, 1000000.0, 1e-6, true, true, false)};    // Qwen2, biases, tied
        for (QwenConfig c : configs) {
            Path d = dir.resolve("kv-" + c.qkNorm());
            NaiveQwen naive = new NaiveQwen(c, NaiveQwen.writeRandomCheckpoint(d, c, 11));
            assertCachedDecodingMatchesNaive(TorchQwenModel.load(d), naive, c.vocabSize(), 2e-3);
            assertCachedDecodingMatchesNaive(CpuQwenModel.load(d), naive, c.vocabSize(), 2e-3);
            assertCachedDecodingMatchesNaive(new CpuQwenModel(QwenCheckpoint.read(d), KernelProvider.scalar()), naive, c.vocabSize(), 2e-3);
        }
    }
}

package io.onerec.libtorch.generator;

import io.onerec.api.DecodingOptions;
import io.onerec.api.UserHistory;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.api.generator.GeneratorTokens;
import io.onerec.api.generator.StepDecoder;
import io.onerec.api.sid.PrefixTrie;
import io.onerec.core.codec.ResidualCodec;
import io.onerec.testing.SparseHeadScenarios;
import io.onerec.testing.TestModels;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The sparse LM head ({@link DecodingOptions.CodeSoftmax#TRIE}) of the LibTorch backend: per step equal to the dense
 * head's logits masked to each slot's list and log-softmaxed (also when the gathered block is split), and an
 * exhaustive search under it equal to brute-force enumeration of items scored by trie-normalised level log-probs.
 */
class TorchSparseHeadTest {
    private static final int ITEMS = 40;
    private static final DecodingOptions.CodeSoftmax TRIE = DecodingOptions.CodeSoftmax.TRIE;

    private static void assertSparseEqualsMaskedDense(GeneratorConfig c, ResidualCodec codec, long blockFloats, double densePickShare) {
        TorchGeneratorModel model = TorchGeneratorModel.initialize(c, 3);
        GeneratorTokens vocab = new GeneratorTokens(c, codec);
        List<UserHistory> users = TestModels.users(2, ITEMS, 0, 3);
        int beam = 3;
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard();
             StepDecoder.Session dense = new TorchStepDecoder(model, vocab).start(users, beam);
             StepDecoder.Session sparse = new TorchStepDecoder(model, vocab, blockFloats, densePickShare).start(users, beam)) {
            SparseHeadScenarios.assertSparseEqualsMaskedDense(dense, sparse, c, users.size(), beam, "block " + blockFloats + " dense share " + densePickShare);
        }
    }

    @Test
    void sparseHeadEqualsTheDenseLogitsMaskedToEachListAndLogSoftmaxed() {
        ResidualCodec codec = TestModels.fittedCodec(ITEMS, 4, 1);
        for (GeneratorConfig c : new GeneratorConfig[]{TestModels.config(codec, 0, 0, 2), TestModels.config(codec, 4, 16, 2)}) {
            // The gathered head rows in one block; split into blocks of a few rows; the dense GEMM's logits picked.
            assertSparseEqualsMaskedDense(c, codec, TorchStepDecoder.SPARSE_BLOCK_FLOATS, Double.POSITIVE_INFINITY);
            assertSparseEqualsMaskedDense(c, codec, 2L * 4 * c.dModel(), Double.POSITIVE_INFINITY);
            assertSparseEqualsMaskedDense(c, codec, TorchStepDecoder.SPARSE_BLOCK_FLOATS, 0);
        }
    }

    /**
     * Each item's next-item log-probability with every level normalised over its trie node's children, from the
     * dense head: one slot per item, fed the item's codes (teacher forcing), its codebook log-probabilities masked to
     * the children of the node reached.
     */
    private static double[] trieNormalisedBruteForce(TorchGeneratorModel model, ResidualCodec codec, UserHistory user) {
        GeneratorConfig c = model.config();
        GeneratorTokens vocab = new GeneratorTokens(c, codec);
        PrefixTrie trie = codec.trie();
        int n = codec.itemCount();
        double[] out = new double[n];
        int[] node = new int[n];
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard();
             StepDecoder.Session s = new TorchStepDecoder(model, vocab).start(Collections.singletonList(user), n)) {
            int[] tokens = new int[n], parents = IntStream.range(0, n).toArray();
            Arrays.fill(tokens, GeneratorConfig.BOS);
            for (int l = 0; l < c.codeLevels(); l++) {
                int k = c.codebookSize(l);
                float[] lp = s.step(tokens, parents, l);
                for (int item = 0; item < n; item++) {
                    double norm = 0;
                    for (int ch = 0; ch < trie.childCount(node[item]); ch++) norm += Math.exp(lp[item * k + trie.childCode(node[item], ch)]);
                    int code = codec.sidOf(item).code(l);
                    out[item] += lp[item * k + code] - Math.log(norm);
                    node[item] = trie.child(node[item], code);
                    tokens[item] = c.codeToken(l, code);
                }
            }
        }
        return out;
    }

    @Test
    void exhaustiveBeamUnderTrieSoftmaxEqualsBruteForceOverTrieNormalisedScores() {
        ResidualCodec codec = TestModels.fittedCodec(ITEMS, 4, 2);
        for (GeneratorConfig c : new GeneratorConfig[]{TestModels.config(codec, 0, 0, 1), TestModels.config(codec, 4, 16, 1)}) {
            TorchGeneratorModel model = TorchGeneratorModel.initialize(c, 4);
            TorchGenerator gen = new TorchGenerator(model, codec);
            for (UserHistory user : TestModels.users(3, ITEMS, 0, 11)) {
                double[] brute = trieNormalisedBruteForce(model, codec, user);
                SparseHeadScenarios.assertExhaustiveTrieBeamMatches(gen, user, brute);
            }
        }
    }

    @Test
    void sparseStepRejectsUnknownCodesAndMalformedLists() {
        ResidualCodec codec = TestModels.fittedCodec(ITEMS, 4, 3);
        GeneratorConfig c = TestModels.config(codec, 0, 0, 1);
        TorchGeneratorModel model = TorchGeneratorModel.initialize(c, 5);
        List<UserHistory> users = TestModels.users(1, ITEMS, 0, 7);
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard();
             StepDecoder.Session s = new TorchStepDecoder(model, new GeneratorTokens(c, codec)).start(users, 2)) {
            int[] tokens = {GeneratorConfig.BOS, GeneratorConfig.BOS}, parents = {0, 1};
            int k = c.codebookSize(0);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> s.stepSparse(tokens, parents, 0, new int[]{0, 1, 2}, new int[]{0, k}));
            assertTrue(e.getMessage().contains("code " + k), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> s.stepSparse(tokens, parents, 0, new int[]{0, 1, 2}, new int[]{0, -1}));
            assertThrows(IllegalArgumentException.class, () -> s.stepSparse(tokens, parents, 0, new int[]{0, 2}, new int[]{0, 1}));
            assertThrows(IllegalArgumentException.class, () -> s.stepSparse(tokens, parents, 0, new int[]{0, 2, 2}, new int[]{1, 1}));
            assertThrows(IllegalArgumentException.class, () -> s.stepSparse(tokens, parents, c.codeLevels(), new int[]{0, 0, 0}, new int[0]));
            // Rejected calls fed nothing: a valid one still starts at position 0 and normalises over its list.
            float[] lp = s.stepSparse(tokens, parents, 0, new int[]{0, 2, 3}, new int[]{1, 3, 0});
            assertEquals(1.0, Math.exp(lp[0]) + Math.exp(lp[1]), 1e-5);
            assertEquals(0.0, lp[2], 1e-6, "a one-code list has probability one");
        }
    }
}

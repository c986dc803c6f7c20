package io.onerec.cpu.generator;

import io.onerec.api.DecodingOptions;
import io.onerec.api.GeneratedSession;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.UserHistory;
import io.onerec.api.checkpoint.HostTensor;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.api.generator.GeneratorTokens;
import io.onerec.api.sid.PrefixTrie;
import io.onerec.core.vector.KernelProvider;
import io.onerec.core.vector.Kernels;
import io.onerec.testing.SparseHeadScenarios;
import io.onerec.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The sparse LM head ({@link DecodingOptions.CodeSoftmax#TRIE}) of the pure-Java backend: per step equal to the dense
 * head's logits masked to each slot's list and log-softmaxed, and an exhaustive search under it equal to brute-force
 * enumeration of items scored by their trie-normalised level log-probabilities.
 */
class CpuSparseHeadTest {
    private static final int ITEMS = 40;
    private static final int[] CODEBOOKS = {4, 4, 3};
    private static final DecodingOptions.CodeSoftmax TRIE = DecodingOptions.CodeSoftmax.TRIE;

    private static void assertSparseEqualsMaskedDense(Kernels kernels, GeneratorConfig c, double densePickShare) {
        SemanticIdCodec codec = TestModels.codec(ITEMS, CODEBOOKS, 1);
        Map<String, HostTensor> tensors = TestModels.randomTensors(c, 2);
        GeneratorWeights w = new GeneratorWeights(c, tensors, kernels);
        GeneratorTokens vocab = new GeneratorTokens(c, codec);
        List<UserHistory> users = TestModels.users(2, ITEMS, 1000, 3);
        int beam = 3;
        try (CpuStepDecoder.CpuSession dense = new CpuStepDecoder(w, vocab).start(users, beam);
             CpuStepDecoder.CpuSession sparse = new CpuStepDecoder(w, vocab, densePickShare).start(users, beam)) {
            SparseHeadScenarios.assertSparseEqualsMaskedDense(dense, sparse, c, users.size(), beam, kernels.name() + " dense share " + densePickShare);
        }
    }

    @Test
    void sparseHeadEqualsTheDenseLogitsMaskedToEachListAndLogSoftmaxed() {
        for (Kernels kernels : new Kernels[]{KernelProvider.get(), KernelProvider.scalar()}) {
            for (GeneratorConfig c : new GeneratorConfig[]{TestModels.config(CODEBOOKS, 0, 0, 2), TestModels.config(CODEBOOKS, 4, 8, 2)}) {
                // Dot products with the listed head rows; the dense GEMM's logits picked.
                assertSparseEqualsMaskedDense(kernels, c, Double.POSITIVE_INFINITY);
                assertSparseEqualsMaskedDense(kernels, c, 0);
            }
        }
    }

    /** Each item's next-item log-probability with every level normalised over its trie node's children (reference model). */
    private static double[] trieNormalisedBruteForce(ReferenceModel ref, GeneratorTokens vocab, SemanticIdCodec codec, UserHistory user) {
        double[][] enc = ref.encode(vocab.encoderTokens(user));
        GeneratorConfig c = vocab.config();
        PrefixTrie trie = codec.trie();
        double[] out = new double[codec.itemCount()];
        for (int item = 0; item < codec.itemCount(); item++) {
            int[] input = vocab.decoderInput(new int[]{item});
            int[] codes = codec.sidOf(item).codes();
            int node = trie.root();
            for (int l = 0; l < c.codeLevels(); l++) {
                double[] lp = ref.logProbs(enc, Arrays.copyOf(input, l + 1), l);
                double norm = 0;
                for (int ch = 0; ch < trie.childCount(node); ch++) norm += Math.exp(lp[trie.childCode(node, ch)]);
                out[item] += lp[codes[l]] - Math.log(norm);
                node = trie.child(node, codes[l]);
            }
        }
        return out;
    }

    @Test
    void exhaustiveBeamUnderTrieSoftmaxEqualsBruteForceOverTrieNormalisedScores() {
        for (GeneratorConfig c : new GeneratorConfig[]{TestModels.config(CODEBOOKS, 0, 0, 1), TestModels.config(CODEBOOKS, 4, 16, 1)}) {
            SemanticIdCodec codec = TestModels.codec(ITEMS, CODEBOOKS, 5);
            Map<String, HostTensor> tensors = TestModels.randomTensors(c, 6);
            ReferenceModel ref = new ReferenceModel(c, tensors);
            GeneratorTokens vocab = new GeneratorTokens(c, codec);
            CpuGenerator gen = new CpuGenerator(new GeneratorWeights(c, tensors, KernelProvider.get()), codec, 1);
            for (UserHistory user : TestModels.users(3, ITEMS, 1000, 7)) {
                double[] brute = trieNormalisedBruteForce(ref, vocab, codec, user);
                SparseHeadScenarios.assertExhaustiveTrieBeamMatches(gen, user, brute);
            }
        }
    }

    @Test
    void codebookSoftmaxIsTheDefaultAndUnchanged() {
        GeneratorConfig c = TestModels.config(CODEBOOKS, 0, 0, 1);
        SemanticIdCodec codec = TestModels.codec(ITEMS, CODEBOOKS, 5);
        CpuGenerator gen = new CpuGenerator(new GeneratorWeights(c, TestModels.randomTensors(c, 6), KernelProvider.get()), codec, 1);
        UserHistory user = TestModels.users(1, ITEMS, 1000, 7).getFirst();
        assertEquals(DecodingOptions.CodeSoftmax.CODEBOOK, DecodingOptions.beams(5).codeSoftmax());
        List<GeneratedSession> plain = gen.generate(user, DecodingOptions.beams(5));
        List<GeneratedSession> explicit = gen.generate(user, DecodingOptions.beams(5).withCodeSoftmax(DecodingOptions.CodeSoftmax.CODEBOOK));
        for (int i = 0; i < plain.size(); i++) {
            assertArrayEquals(plain.get(i).items(), explicit.get(i).items());
            assertEquals(plain.get(i).logProb(), explicit.get(i).logProb(), 0.0);
        }
        // The trie softmax gives every item a higher log-probability: its normaliser sums fewer codes.
        List<GeneratedSession> trie = gen.generate(user, DecodingOptions.beams(ITEMS).withCodeSoftmax(TRIE));
        List<GeneratedSession> codebook = gen.generate(user, DecodingOptions.beams(ITEMS));
        for (GeneratedSession t : trie) {
            GeneratedSession same = codebook.stream().filter(s -> s.firstItem() == t.firstItem()).findFirst().orElseThrow();
            assertTrue(t.logProb() >= same.logProb() - 1e-6, "item " + t.firstItem());
        }
    }

    @Test
    void sparseStepRejectsUnknownCodesAndMalformedLists() {
        GeneratorConfig c = TestModels.config(CODEBOOKS, 0, 0, 1);
        SemanticIdCodec codec = TestModels.codec(ITEMS, CODEBOOKS, 5);
        GeneratorWeights w = new GeneratorWeights(c, TestModels.randomTensors(c, 6), KernelProvider.get());
        List<UserHistory> users = TestModels.users(1, ITEMS, 1000, 7);
        try (CpuStepDecoder.CpuSession s = new CpuStepDecoder(w, new GeneratorTokens(c, codec)).start(users, 2)) {
            int[] tokens = {GeneratorConfig.BOS, GeneratorConfig.BOS}, parents = {0, 1};
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> s.stepSparse(tokens, parents, 0, new int[]{0, 1, 2}, new int[]{0, 4}));
            assertTrue(e.getMessage().contains("code 4"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> s.stepSparse(tokens, parents, 0, new int[]{0, 1, 2}, new int[]{0, -1}));
            assertThrows(IllegalArgumentException.class, () -> s.stepSparse(tokens, parents, 0, new int[]{0, 2}, new int[]{0, 1}));
            assertThrows(IllegalArgumentException.class, () -> s.stepSparse(tokens, parents, 0, new int[]{0, 2, 2}, new int[]{1, 1}));
            assertThrows(IllegalArgumentException.class, () -> s.stepSparse(tokens, parents, 3, new int[]{0, 0, 0}, new int[0]));
            assertThrows(IllegalArgumentException.class, () -> s.stepSparse(tokens, parents, -1, new int[]{0, 0, 0}, new int[0]));
            // Rejected calls fed nothing: a valid one still starts at position 0 and normalises over its list.
            float[] lp = s.stepSparse(tokens, parents, 0, new int[]{0, 2, 3}, new int[]{1, 3, 0});
            assertEquals(1.0, Math.exp(lp[0]) + Math.exp(lp[1]), 1e-5);
            assertEquals(0.0, lp[2], 1e-6, "a one-code list has probability one");
        }
    }
}

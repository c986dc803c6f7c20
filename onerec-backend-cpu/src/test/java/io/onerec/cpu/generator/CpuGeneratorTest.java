package io.onerec.cpu.generator;

import io.onerec.testing.TestModels;
import io.onerec.api.GeneratedSession;
import io.onerec.api.DecodingOptions;
import io.onerec.api.SemanticId;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.UserHistory;
import io.onerec.api.checkpoint.Checkpoint;
import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.api.checkpoint.HostTensor;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.api.generator.GeneratorTokens;
import io.onerec.core.vector.KernelProvider;
import io.onerec.core.vector.Kernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

class CpuGeneratorTest {
    private static final int ITEMS = 40;
    private static final int[] CODEBOOKS = {4, 4, 3};

    @TempDir
    Path tmp;

    private static CpuGenerator generator(GeneratorConfig c, SemanticIdCodec codec, Kernels kernels, long seed, int threads) {
        return new CpuGenerator(new GeneratorWeights(c, TestModels.randomTensors(c, seed), kernels), codec, threads);
    }

    /** Log-prob of every single item as the next item, by full recomputation in the reference model. */
    private static double[] bruteForce(ReferenceModel ref, GeneratorTokens vocab, SemanticIdCodec codec, UserHistory user) {
        double[][] enc = ref.encode(vocab.encoderTokens(user));
        GeneratorConfig c = vocab.config();
        double[] out = new double[codec.itemCount()];
        for (int item = 0; item < codec.itemCount(); item++) {
            int[] input = vocab.decoderInput(new int[]{item});
            int[] codes = codec.sidOf(item).codes();
            for (int l = 0; l < c.codeLevels(); l++) {
                out[item] += ref.logProbs(enc, Arrays.copyOf(input, l + 1), l)[codes[l]];
            }
        }
        return out;
    }

    @Test
    void kvCacheStepsEqualFullRecomputationUnderBeamReordering() {
        // Dense FFN; 4 experts top-2; 12 experts top-3 (6 slots leave some experts without tokens at every step).
        GeneratorConfig top3 = TestModels.config(CODEBOOKS, 12, 8, 2);
        top3 = new GeneratorConfig(top3.dModel(), top3.nHeads(), top3.dFf(), top3.encoderLayers(), top3.decoderLayers(), 12, 3,
                top3.maxHistory(), CODEBOOKS, top3.userBuckets(), top3.itemsPerSession(), top3.normEps());
        for (GeneratorConfig c : new GeneratorConfig[]{TestModels.config(CODEBOOKS, 0, 0, 2), TestModels.config(CODEBOOKS, 4, 8, 2), top3}) {
            int moe = c.moeExperts();
            SemanticIdCodec codec = TestModels.codec(ITEMS, CODEBOOKS, 1);
            Map<String, HostTensor> tensors = TestModels.randomTensors(c, 2);
            GeneratorWeights w = new GeneratorWeights(c, tensors, KernelProvider.get());
            GeneratorTokens vocab = new GeneratorTokens(c, codec);
            ReferenceModel ref = new ReferenceModel(c, tensors);
            List<UserHistory> users = TestModels.users(2, ITEMS, 1000, 3);
            int beam = 3, slots = users.size() * beam;
            Random r = new Random(4);
            // Each slot's token history, reordered exactly like the cache, so the reference sees the same prefix.
            int[][] history = new int[slots][0];
            double[][][] enc = {ref.encode(vocab.encoderTokens(users.get(0))), ref.encode(vocab.encoderTokens(users.get(1)))};
            try (CpuStepDecoder.CpuSession s = new CpuStepDecoder(w, vocab).start(users, beam)) {
                for (int step = 0; step < c.maxDecoderLen(); step++) {
                    int[] tokens = new int[slots], parents = new int[slots];
                    int[][] next = new int[slots][];
                    for (int slot = 0; slot < slots; slot++) {
                        parents[slot] = step == 0 ? slot : (slot / beam) * beam + r.nextInt(beam);
                        // Step 0: the dense model gets one token per user (the shared first-step path), the MoE model
                        // a different token per slot (the general path).
                        tokens[slot] = step == 0 && moe == 0 ? 2 + slot / beam : 1 + r.nextInt(c.vocabSize() - 1);
                        next[slot] = Arrays.copyOf(history[parents[slot]], step + 1);
                        next[slot][step] = tokens[slot];
                    }
                    history = next;
                    int level = step % c.codeLevels();
                    float[] lp = s.step(tokens, parents, level);
                    int k = c.codebookSize(level);
                    for (int slot = 0; slot < slots; slot++) {
                        double[] expect = ref.logProbs(enc[slot / beam], history[slot], level);
                        for (int j = 0; j < k; j++) {
                            assertEquals(expect[j], lp[slot * k + j], 2e-4 * Math.max(1, Math.abs(expect[j])),
                                    "moe=" + moe + " step " + step + " slot " + slot + " code " + j);
                        }
                    }
                }
                assertThrows(IllegalStateException.class, () -> s.step(new int[slots], new int[slots], 0), "past max_decoder_len");
            }
        }
    }

    private void assertExhaustiveBeamMatchesBruteForce(GeneratorConfig c, Set<SemanticId> allowed) {
        SemanticIdCodec codec = TestModels.codec(ITEMS, CODEBOOKS, 5);
        Map<String, HostTensor> tensors = TestModels.randomTensors(c, 6);
        ReferenceModel ref = new ReferenceModel(c, tensors);
        GeneratorTokens vocab = new GeneratorTokens(c, codec);
        CpuGenerator gen = new CpuGenerator(new GeneratorWeights(c, tensors, KernelProvider.get()), codec, 1);
        for (UserHistory user : TestModels.users(3, ITEMS, 1000, 7)) {
            double[] brute = bruteForce(ref, vocab, codec, user);
            int[] order = IntStream.range(0, ITEMS).boxed()
                    .filter(i -> allowed.isEmpty() || allowed.contains(codec.sidOf(i).prefix(2)))
                    .sorted((a, b) -> Double.compare(brute[b], brute[a])).mapToInt(Integer::intValue).toArray();
            // A beam as wide as the catalog makes the search exhaustive: every allowed item, in brute-force order.
            List<GeneratedSession> beams = gen.generate(user, DecodingOptions.beams(ITEMS).withAllowedPrefixes(allowed));
            assertEquals(order.length, beams.size());
            for (int i = 0; i < order.length; i++) {
                assertEquals(brute[beams.get(i).firstItem()], beams.get(i).logProb(), 1e-4, "score of beam " + i);
                assertEquals(brute[order[i]], beams.get(i).logProb(), 1e-4, "rank " + i);
            }
        }
    }

    @Test
    void exhaustiveBeamEqualsBruteForceEnumeration() {
        assertExhaustiveBeamMatchesBruteForce(TestModels.config(CODEBOOKS, 0, 0, 1), Set.of());
    }

    @Test
    void exhaustiveBeamEqualsBruteForceWithMoeAndUserTokens() {
        assertExhaustiveBeamMatchesBruteForce(TestModels.config(CODEBOOKS, 4, 16, 1), Set.of());
    }

    @Test
    void prefixRestrictionKeepsExactlyTheAllowedItemsInBruteForceOrder() {
        SemanticIdCodec codec = TestModels.codec(ITEMS, CODEBOOKS, 5);
        List<SemanticId> prefixes = new ArrayList<>(codec.validPrefixes(2));
        Set<SemanticId> allowed = Set.of(prefixes.get(0), prefixes.get(prefixes.size() / 2));
        assertExhaustiveBeamMatchesBruteForce(TestModels.config(CODEBOOKS, 0, 0, 1), allowed);
    }

    @Test
    void sessionsHaveNoDuplicatesAndRespectHistoryExclusion() {
        GeneratorConfig c = TestModels.config(CODEBOOKS, 0, 0, 4);
        SemanticIdCodec codec = TestModels.codec(ITEMS, CODEBOOKS, 8);
        try (CpuGenerator gen = generator(c, codec, KernelProvider.get(), 9, 2)) {
            for (UserHistory user : TestModels.users(4, ITEMS, 1000, 10)) {
                List<GeneratedSession> sessions = gen.generate(user, new DecodingOptions(6, 4, Set.of(), true));
                assertEquals(6, sessions.size());
                Set<Integer> history = new HashSet<>();
                for (int i : user.items()) history.add(i);
                double prev = Double.POSITIVE_INFINITY;
                for (GeneratedSession s : sessions) {
                    assertEquals(4, s.size());
                    assertEquals(4, Arrays.stream(s.items()).distinct().count(), "duplicate in " + s);
                    for (int item : s.items()) assertFalse(history.contains(item), "history item " + item + " in " + s);
                    assertTrue(s.logProb() <= prev, "sessions best first");
                    prev = s.logProb();
                }
            }
        }
    }

    @Test
    void batchedUsersEqualOneByOne() {
        GeneratorConfig c = TestModels.config(CODEBOOKS, 0, 8, 2);
        SemanticIdCodec codec = TestModels.codec(ITEMS, CODEBOOKS, 11);
        List<UserHistory> users = TestModels.users(9, ITEMS, 1000, 12);
        DecodingOptions g = DecodingOptions.beams(5).withItemsPerSession(2);
        try (CpuGenerator gen = generator(c, codec, KernelProvider.get(), 13, 2)) {
            List<List<GeneratedSession>> batch = gen.generateBatch(users, g);
            assertEquals(users.size(), batch.size());
            for (int u = 0; u < users.size(); u++) {
                assertSessionsEqual(gen.generate(users.get(u), g), batch.get(u), 1e-5);
            }
        }
    }

    @Test
    void panamaEqualsScalarWithinFloatTolerance() {
        org.junit.jupiter.api.Assumptions.assumeTrue(KernelProvider.vectorApiPresent(), "needs jdk.incubator.vector");
        GeneratorConfig c = TestModels.config(CODEBOOKS, 4, 8, 2);
        SemanticIdCodec codec = TestModels.codec(ITEMS, CODEBOOKS, 14);
        List<UserHistory> users = TestModels.users(5, ITEMS, 1000, 15);
        DecodingOptions g = DecodingOptions.beams(7).withItemsPerSession(2);
        try (CpuGenerator panama = generator(c, codec, KernelProvider.panama(), 16, 1);
             CpuGenerator scalar = generator(c, codec, KernelProvider.scalar(), 16, 1)) {
            List<List<GeneratedSession>> a = panama.generateBatch(users, g), b = scalar.generateBatch(users, g);
            for (int u = 0; u < users.size(); u++) assertSessionsEqual(b.get(u), a.get(u), 1e-4);
        }
    }

    @Test
    void concurrentGenerateEqualsSequential() throws Exception {
        GeneratorConfig c = TestModels.config(CODEBOOKS, 0, 0, 1);
        SemanticIdCodec codec = TestModels.codec(ITEMS, CODEBOOKS, 17);
        List<UserHistory> users = TestModels.users(12, ITEMS, 1000, 18);
        DecodingOptions g = DecodingOptions.beams(8);
        try (CpuGenerator gen = generator(c, codec, KernelProvider.get(), 19, 2)) {
            List<List<GeneratedSession>> expected = new ArrayList<>();
            for (UserHistory u : users) expected.add(gen.generate(u, g));
            ExecutorService ex = Executors.newFixedThreadPool(4);
            try {
                List<Future<List<GeneratedSession>>> futures = new ArrayList<>();
                for (int round = 0; round < 3; round++) {
                    for (UserHistory u : users) futures.add(ex.submit(() -> gen.generate(u, g)));
                }
                for (int i = 0; i < futures.size(); i++) {
                    assertEquals(expected.get(i % users.size()), futures.get(i).get(), "user " + i % users.size());
                }
            } finally {
                ex.shutdownNow();
            }
        }
    }

    @Test
    void saveThenLoadGivesTheSameBeams() {
        GeneratorConfig c = TestModels.config(CODEBOOKS, 2, 4, 1);
        SemanticIdCodec codec = TestModels.codec(ITEMS, CODEBOOKS, 20);
        Path dir = TestModels.writeCheckpoint(tmp.resolve("a"), c, 21);
        try (CpuGenerator a = CpuGenerator.load(dir, codec)) {
            a.save(tmp.resolve("b"));
            try (CpuGenerator b = CpuGenerator.load(tmp.resolve("b"), codec)) {
                assertEquals(c, b.config());
                for (UserHistory u : TestModels.users(3, ITEMS, 1000, 22)) {
                    assertEquals(a.generate(u, DecodingOptions.beams(4)), b.generate(u, DecodingOptions.beams(4)));
                }
            }
        }
    }

    @Test
    void corruptOrMismatchedCheckpointsFailWithClearMessages() throws Exception {
        GeneratorConfig c = TestModels.config(CODEBOOKS, 0, 0, 1);
        SemanticIdCodec codec = TestModels.codec(ITEMS, CODEBOOKS, 23);
        Map<String, HostTensor> good = TestModels.randomTensors(c, 24);

        Map<String, HostTensor> missing = new LinkedHashMap<>(good);
        missing.remove("decoder.layers.1.cross_attn.v.weight");
        Checkpoint.write(tmp.resolve("missing"), GeneratorConfig.CHECKPOINT_KIND, c.toJson(), missing);
        var e = assertThrows(CheckpointException.class, () -> CpuGenerator.load(tmp.resolve("missing"), codec));
        assertTrue(e.getMessage().contains("decoder.layers.1.cross_attn.v.weight"), e.getMessage());

        Map<String, HostTensor> wrongShape = new LinkedHashMap<>(good);
        wrongShape.put("encoder.layers.0.ffn.wi.weight", HostTensor.of(new float[c.dModel() * c.dModel()], c.dModel(), c.dModel()));
        Checkpoint.write(tmp.resolve("shape"), GeneratorConfig.CHECKPOINT_KIND, c.toJson(), wrongShape);
        e = assertThrows(CheckpointException.class, () -> CpuGenerator.load(tmp.resolve("shape"), codec));
        assertTrue(e.getMessage().contains("encoder.layers.0.ffn.wi.weight"), e.getMessage());

        Map<String, HostTensor> extra = new LinkedHashMap<>(good);
        extra.put("decoder.layers.7.ffn.wi.weight", HostTensor.of(new float[4], 2, 2));
        Checkpoint.write(tmp.resolve("extra"), GeneratorConfig.CHECKPOINT_KIND, c.toJson(), extra);
        e = assertThrows(CheckpointException.class, () -> CpuGenerator.load(tmp.resolve("extra"), codec));
        assertTrue(e.getMessage().contains("decoder.layers.7.ffn.wi.weight"), e.getMessage());

        Checkpoint.write(tmp.resolve("kind"), "onerec-codec", c.toJson(), good);
        e = assertThrows(CheckpointException.class, () -> CpuGenerator.load(tmp.resolve("kind"), codec));
        assertTrue(e.getMessage().contains("onerec-codec"), e.getMessage());

        Path truncated = TestModels.writeCheckpoint(tmp.resolve("truncated"), c, 25);
        Path file = truncated.resolve(Checkpoint.WEIGHTS_FILE);
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, Arrays.copyOf(bytes, bytes.length / 2));
        assertThrows(CheckpointException.class, () -> CpuGenerator.load(truncated, codec));

        // A codec whose codebooks do not match the model's token layout.
        SemanticIdCodec other = TestModels.codec(ITEMS, new int[]{5, 4, 3}, 26);
        Path ok = TestModels.writeCheckpoint(tmp.resolve("ok"), c, 27);
        var iae = assertThrows(IllegalArgumentException.class, () -> CpuGenerator.load(ok, other));
        assertTrue(iae.getMessage().contains("codebook sizes"), iae.getMessage());
    }

    @Test
    void badInputsAreRejected() {
        GeneratorConfig c = TestModels.config(CODEBOOKS, 0, 0, 1);
        SemanticIdCodec codec = TestModels.codec(ITEMS, CODEBOOKS, 28);
        try (CpuGenerator gen = generator(c, codec, KernelProvider.get(), 29, 1)) {
            assertThrows(IllegalArgumentException.class, () -> gen.generate(new UserHistory(1, new int[]{ITEMS + 3}), DecodingOptions.beams(2)));
            assertThrows(IllegalArgumentException.class, () -> gen.generate(new UserHistory(1, new int[0]), DecodingOptions.beams(2)));
            assertThrows(IllegalArgumentException.class, () -> gen.generate(new UserHistory(1, new int[]{1}), DecodingOptions.beams(2).withItemsPerSession(2)));
        }
    }

    static void assertSessionsEqual(List<GeneratedSession> expected, List<GeneratedSession> actual, double tol) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) {
            assertArrayEquals(expected.get(i).items(), actual.get(i).items(), "items of beam " + i);
            assertEquals(expected.get(i).logProb(), actual.get(i).logProb(), tol * Math.max(1, Math.abs(expected.get(i).logProb())), "beam " + i);
        }
    }
}

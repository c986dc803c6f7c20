package io.onerec.libtorch.generator;

import io.onerec.testing.TestModels;
import io.onerec.api.GeneratedSession;
import io.onerec.api.DecodingOptions;
import io.onerec.api.SemanticId;
import io.onerec.api.UserHistory;
import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.api.generator.GeneratorTokens;
import io.onerec.api.spi.Backends;
import io.onerec.core.codec.ResidualCodec;
import io.onerec.libtorch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.*;

class TorchGeneratorTest {
    private static final int ITEMS = 40;

    /** Teacher-forced log-probability of every single item as the next item, for one user. */
    private static double[] allItemLogProbs(TorchGeneratorModel model, ResidualCodec codec, UserHistory user) {
        GeneratorTokens vocab = new GeneratorTokens(model.config(), codec);
        List<UserHistory> users = Collections.nCopies(codec.itemCount(), user);
        List<int[]> sessions = new ArrayList<>();
        for (int i = 0; i < codec.itemCount(); i++) sessions.add(new int[]{i});
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            float[] lp = Torch.toFloats(SessionLogProbs.compute(model, vocab, users, sessions).perSession());
            double[] out = new double[lp.length];
            for (int i = 0; i < lp.length; i++) out[i] = lp[i];
            return out;
        }
    }

    private static void assertExhaustiveBeamMatchesBruteForce(TorchGeneratorModel model, ResidualCodec codec, Set<SemanticId> allowed) {
        TorchGenerator gen = new TorchGenerator(model, codec);
        for (UserHistory user : TestModels.users(4, ITEMS, 0, 11)) {
            double[] brute = allItemLogProbs(model, codec, user);
            Integer[] order = IntStream.range(0, ITEMS).boxed()
                    .filter(i -> allowed.isEmpty() || allowed.contains(codec.sidOf(i).prefix(2)))
                    .sorted((a, b) -> Double.compare(brute[b], brute[a])).toArray(Integer[]::new);
            // Beam as wide as the catalog: the search is exhaustive, so it must return every allowed item in order.
            List<GeneratedSession> beams = gen.generate(user, DecodingOptions.beams(ITEMS).withAllowedPrefixes(allowed));
            assertEquals(order.length, beams.size());
            for (int i = 0; i < order.length; i++) {
                assertEquals(brute[beams.get(i).firstItem()], beams.get(i).logProb(), 1e-4, "score of beam " + i);
                assertEquals(brute[order[i]], beams.get(i).logProb(), 1e-4, "rank " + i + " has the brute-force score");
            }
        }
    }

    @Test
    void exhaustiveBeamEqualsBruteForceEnumeration() {
        ResidualCodec codec = TestModels.fittedCodec(ITEMS, 4, 1);
        TorchGeneratorModel model = TorchGeneratorModel.initialize(TestModels.config(codec, 0, 0, 1), 3);
        assertExhaustiveBeamMatchesBruteForce(model, codec, Set.of());
    }

    @Test
    void usersSplitOverThreadsGetTheSameBeamsAsOneSearch() {
        ResidualCodec codec = TestModels.fittedCodec(ITEMS, 4, 2);
        TorchGeneratorModel model = TorchGeneratorModel.initialize(TestModels.config(codec, 4, 16, 1), 5);
        List<UserHistory> users = TestModels.users(7, ITEMS, 0, 13);
        DecodingOptions options = DecodingOptions.beams(6);
        // 3 threads take 3, 2 and 2 users.
        List<List<GeneratedSession>> whole = new TorchGenerator(model, () -> codec, Torch.Precision.FP32, 1).generateBatch(users, options);
        List<List<GeneratedSession>> split = new TorchGenerator(model, () -> codec, Torch.Precision.FP32, 3).generateBatch(users, options);
        assertEquals(users.size(), split.size());
        for (int u = 0; u < users.size(); u++) {
            assertEquals(whole.get(u).size(), split.get(u).size(), "beams of user " + u);
            for (int i = 0; i < whole.get(u).size(); i++) {
                assertArrayEquals(whole.get(u).get(i).items(), split.get(u).get(i).items(), "user " + u + " beam " + i);
                assertEquals(whole.get(u).get(i).logProb(), split.get(u).get(i).logProb(), 1e-5, "user " + u + " beam " + i);
            }
        }
    }

    @Test
    void exhaustiveBeamEqualsBruteForceWithMoeAndUserTokens() {
        ResidualCodec codec = TestModels.fittedCodec(ITEMS, 4, 2);
        TorchGeneratorModel model = TorchGeneratorModel.initialize(TestModels.config(codec, 4, 16, 1), 4);
        assertExhaustiveBeamMatchesBruteForce(model, codec, Set.of());
    }

    @Test
    void prefixRestrictionKeepsOnlyAllowedItemsInBruteForceOrder() {
        ResidualCodec codec = TestModels.fittedCodec(ITEMS, 4, 3);
        TorchGeneratorModel model = TorchGeneratorModel.initialize(TestModels.config(codec, 0, 0, 1), 5);
        List<SemanticId> prefixes = new ArrayList<>(codec.validPrefixes(2));
        Set<SemanticId> allowed = Set.of(prefixes.get(0), prefixes.get(prefixes.size() - 1));
        assertExhaustiveBeamMatchesBruteForce(model, codec, allowed);
        TorchGenerator gen = new TorchGenerator(model, codec);
        for (List<GeneratedSession> user : gen.generateBatch(TestModels.users(6, ITEMS, 0, 8), DecodingOptions.beams(5).withAllowedPrefixes(allowed))) {
            assertFalse(user.isEmpty());
            for (GeneratedSession s : user) assertTrue(allowed.contains(codec.sidOf(s.firstItem()).prefix(2)));
        }
    }

    @Test
    void everyBeamIsAValidDistinctItemSortedByScore() {
        ResidualCodec codec = TestModels.fittedCodec(ITEMS, 4, 4);
        TorchGeneratorModel model = TorchGeneratorModel.initialize(TestModels.config(codec, 0, 0, 1), 6);
        TorchGenerator gen = new TorchGenerator(model, codec);
        List<UserHistory> users = TestModels.users(30, ITEMS, 0, 9);
        List<List<GeneratedSession>> out = gen.generateBatch(users, DecodingOptions.beams(12).withExcludeHistory(true));
        assertEquals(users.size(), out.size());
        for (int u = 0; u < users.size(); u++) {
            List<GeneratedSession> beams = out.get(u);
            assertEquals(12, beams.size());
            Set<Integer> seen = new HashSet<>();
            Set<Integer> history = new HashSet<>();
            for (int h : users.get(u).items()) history.add(h);
            for (int i = 0; i < beams.size(); i++) {
                int item = beams.get(i).firstItem();
                assertTrue(item >= 0 && item < ITEMS);
                assertEquals(item, codec.itemOf(codec.sidOf(item)));
                assertTrue(seen.add(item), "duplicate item " + item);
                assertFalse(history.contains(item), "history item generated despite excludeHistory");
                if (i > 0) assertTrue(beams.get(i - 1).logProb() >= beams.get(i).logProb());
            }
            // Batched decoding gives the same beams as decoding the user alone (scores up to BLAS rounding).
            List<GeneratedSession> alone = gen.generate(users.get(u), DecodingOptions.beams(12).withExcludeHistory(true));
            for (int i = 0; i < beams.size(); i++) {
                assertArrayEquals(beams.get(i).items(), alone.get(i).items());
                assertEquals(beams.get(i).logProb(), alone.get(i).logProb(), 1e-5);
            }
        }
    }

    @Test
    void sessionScoresEqualTeacherForcedLogProbsAndHaveNoDuplicates() {
        // The KV-cached incremental decoder must give exactly the full teacher-forced recomputation.
        ResidualCodec codec = TestModels.fittedCodec(ITEMS, 4, 5);
        TorchGeneratorModel model = TorchGeneratorModel.initialize(TestModels.config(codec, 2, 0, 3), 7);
        TorchGenerator gen = new TorchGenerator(model, codec);
        GeneratorTokens vocab = new GeneratorTokens(model.config(), codec);
        for (UserHistory user : TestModels.users(3, ITEMS, 0, 10)) {
            List<GeneratedSession> sessions = gen.generate(user, DecodingOptions.beams(8).withItemsPerSession(3));
            assertEquals(8, sessions.size());
            List<int[]> items = new ArrayList<>();
            for (GeneratedSession s : sessions) {
                assertEquals(3, s.size());
                assertEquals(3, Arrays.stream(s.items()).distinct().count(), "duplicate item in " + s);
                items.add(s.items());
            }
            try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                float[] tf = Torch.toFloats(SessionLogProbs.compute(model, vocab, Collections.nCopies(items.size(), user), items).perSession());
                for (int i = 0; i < tf.length; i++) assertEquals(tf[i], sessions.get(i).logProb(), 1e-4);
            }
        }
    }

    @Test
    void checkpointRoundTripGivesIdenticalBeams(@TempDir Path dir) throws Exception {
        ResidualCodec codec = TestModels.fittedCodec(ITEMS, 4, 6);
        TorchGeneratorModel model = TorchGeneratorModel.initialize(TestModels.config(codec, 2, 8, 1), 8);
        model.save(dir);
        var loaded = Backends.get("libtorch").loadGenerator(dir, codec);
        TorchGenerator original = new TorchGenerator(model, codec);
        List<UserHistory> users = TestModels.users(5, ITEMS, 0, 12);
        assertEquals(original.generateBatch(users, DecodingOptions.beams(10)), loaded.generateBatch(users, DecodingOptions.beams(10)));

        // A checkpoint whose tensor has the wrong shape is rejected by name.
        Path bad = dir.resolve("bad");
        TorchGeneratorModel.initialize(new GeneratorConfig(32, 4, 64, 2, 2, 2, 2, 6, codec.codebookSizes(), 8, 1, 1e-6), 1).save(bad);
        String cfg = Files.readString(bad.resolve("config.json")).replace("\"d_ff\":64", "\"d_ff\":128");
        Files.writeString(bad.resolve("config.json"), cfg);
        CheckpointException e = assertThrows(CheckpointException.class, () -> TorchGeneratorModel.load(bad));
        assertTrue(e.getMessage().contains("encoder.layers.0.ffn.wi.weight"), e.getMessage());
    }

    @Test
    void concurrentGenerateCallsGiveTheSequentialResults() throws Exception {
        ResidualCodec codec = TestModels.fittedCodec(ITEMS, 4, 9);
        TorchGeneratorModel model = TorchGeneratorModel.initialize(TestModels.config(codec, 2, 8, 2), 10);
        TorchGenerator gen = new TorchGenerator(model, codec);
        List<UserHistory> users = TestModels.users(24, ITEMS, 0, 13);
        DecodingOptions cfg = DecodingOptions.beams(6).withItemsPerSession(2);
        List<List<GeneratedSession>> expected = new ArrayList<>();
        for (UserHistory u : users) expected.add(gen.generate(u, cfg));
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(4)) {
            List<java.util.concurrent.Future<List<GeneratedSession>>> futures = new ArrayList<>();
            for (UserHistory u : users) futures.add(pool.submit(() -> gen.generate(u, cfg)));
            for (int i = 0; i < users.size(); i++) {
                List<GeneratedSession> got = futures.get(i).get();
                assertEquals(expected.get(i).size(), got.size());
                for (int j = 0; j < got.size(); j++) {
                    assertArrayEquals(expected.get(i).get(j).items(), got.get(j).items(), "user " + i + " beam " + j);
                    assertEquals(expected.get(i).get(j).logProb(), got.get(j).logProb(), 1e-5);
                }
            }
        }
    }

    @Test
    void unknownHistoryItemsAndMismatchedCodecsAreRejected() {
        ResidualCodec codec = TestModels.fittedCodec(ITEMS, 4, 7);
        TorchGeneratorModel model = TorchGeneratorModel.initialize(TestModels.config(codec, 0, 0, 1), 9);
        TorchGenerator gen = new TorchGenerator(model, codec);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> gen.generate(new UserHistory(1, new int[]{3, ITEMS + 5}), DecodingOptions.beams(4)));
        assertTrue(e.getMessage().contains("unknown item " + (ITEMS + 5)), e.getMessage());
        ResidualCodec other = TestModels.fittedCodec(ITEMS, 5, 7);
        assertThrows(IllegalArgumentException.class, () -> new TorchGenerator(model, other));
        assertThrows(IllegalArgumentException.class, () -> gen.generate(new UserHistory(1, new int[0]), DecodingOptions.beams(4)));
    }
}

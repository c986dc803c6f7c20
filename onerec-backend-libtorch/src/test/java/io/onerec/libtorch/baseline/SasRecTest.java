package io.onerec.libtorch.baseline;

import io.onerec.api.ItemEmbeddings;
import io.onerec.api.UserHistory;
import io.onerec.api.checkpoint.ItemEmbeddingsFile;
import io.onerec.api.checkpoint.JsonConfig;
import io.onerec.tools.data.InteractionSequences;
import io.onerec.tools.data.LeaveOneOutSplit;
import io.onerec.tools.data.UserFolds;
import io.onerec.tools.data.NextItemExample;
import io.onerec.tools.eval.EvaluationResult;
import io.onerec.tools.eval.Evaluator;
import io.onerec.tools.eval.PopularityBaseline;
import io.onerec.libtorch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.NoGradGuard;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class SasRecTest {
    private static final Logger LOG = LoggerFactory.getLogger(SasRecTest.class);
    private static final int ITEMS = 100;

    @BeforeAll
    static void natives() {
        assumeTrue(Torch.load() == null, "libtorch natives unavailable: " + Torch.load());
    }

    /** The next item is a fixed permutation of the previous one; each user starts at a random item. */
    static int next(int item) {
        return (item * 37 + 11) % ITEMS;
    }

    static LeaveOneOutSplit synthetic(int users, long seed) {
        Random rnd = new Random(seed);
        int[][] seqs = new int[users][];
        String[] ids = new String[users];
        for (int u = 0; u < users; u++) {
            int[] s = new int[6 + rnd.nextInt(6)];
            s[0] = rnd.nextInt(ITEMS);
            for (int i = 1; i < s.length; i++) s[i] = next(s[i - 1]);
            seqs[u] = s;
            ids[u] = "u" + u;
        }
        String[] items = new String[ITEMS];
        for (int i = 0; i < ITEMS; i++) items[i] = "i" + i;
        return LeaveOneOutSplit.of(new InteractionSequences("rule", seqs, null, ids, items), 20);
    }

    private static SasRecModel trained(LeaveOneOutSplit split) {
        SasRecConfig config = new SasRecConfig(ITEMS, 32, 1, 2, 64, 20, 0.1);
        SasRecModel model = SasRecModel.initialize(config, 7);
        SasRecTrainerConfig tc = SasRecTrainerConfig.defaults().withMaxEpochs(20).withBatchSize(32)
                .withLearningRate(3e-3).withEvaluation(100, 3);
        SasRecTrainer.Result r = new SasRecTrainer(model, tc, null).fit(split);
        LOG.info("synthetic SASRec: {} epochs, best {} {}", r.epochs(), r.bestEpoch(), r.bestValidation());
        return model;
    }

    @Test
    void learnsADeterministicNextItemRule() {
        LeaveOneOutSplit split = synthetic(400, 1);
        SasRecModel model = trained(split);
        Evaluator evaluator = new Evaluator();
        EvaluationResult sasrec = evaluator.test(split, new SasRecRecommender(model, false));
        EvaluationResult popularity = evaluator.test(split, PopularityBaseline.fit(split, false));
        LOG.info("SASRec {} vs popularity {}", sasrec, popularity);
        // Popularity is near chance (about 10 of 100 items); the rule is learnable from one previous item.
        assertTrue(sasrec.recall(10) > 0.9, sasrec.toString());
        assertTrue(sasrec.recall(10) > popularity.recall(10) + 0.5, sasrec + " vs " + popularity);
        assertTrue(sasrec.ndcg(10) > 0.7, sasrec.toString());
    }

    @Test
    void trainsOnlyOnTheUsersItIsGiven() {
        // Fold 1's users follow next(), fold 0's another rule; trained without fold 0, SASRec knows only the first.
        UserFolds folds = new UserFolds(2, 0);
        Random rnd = new Random(9);
        int users = 400;
        int[][] seqs = new int[users][];
        String[] ids = new String[users];
        for (int u = 0; u < users; u++) {
            int[] s = new int[6 + rnd.nextInt(6)];
            s[0] = rnd.nextInt(ITEMS);
            for (int i = 1; i < s.length; i++) s[i] = folds.of(u) == 1 ? next(s[i - 1]) : (s[i - 1] * 53 + 29) % ITEMS;
            seqs[u] = s;
            ids[u] = "u" + u;
        }
        String[] items = new String[ITEMS];
        for (int i = 0; i < ITEMS; i++) items[i] = "i" + i;
        LeaveOneOutSplit split = LeaveOneOutSplit.of(new InteractionSequences("two rules", seqs, null, ids, items), 20);
        HeldOutFold heldOut = new HeldOutFold(0, folds);
        SasRecModel model = SasRecModel.initialize(new SasRecConfig(ITEMS, 32, 1, 2, 64, 20, 0.1), 7);
        SasRecTrainer trainer = new SasRecTrainer(model, SasRecTrainerConfig.defaults().withMaxEpochs(20).withBatchSize(32)
                .withLearningRate(3e-3).withEvaluation(100, 3), null);
        assertEquals(split.test().stream().filter(e -> heldOut.trainsOn(e.user())).count(),
                trainer.rows(split, heldOut::trainsOn).size(), "one row per trained user");
        trainer.fit(split, heldOut::trainsOn);
        Evaluator evaluator = new Evaluator();
        SasRecRecommender rec = new SasRecRecommender(model, false);
        EvaluationResult seen = evaluator.evaluate("test", split.test().stream().filter(e -> heldOut.trainsOn(e.user())).toList(), ITEMS, rec);
        EvaluationResult unseen = evaluator.evaluate("test", split.test().stream().filter(e -> !heldOut.trainsOn(e.user())).toList(), ITEMS, rec);
        assertTrue(seen.recall(10) > 0.9, "trained users " + seen);
        assertTrue(unseen.recall(10) < 0.3, "held-out users follow a rule it never saw: " + unseen);
        assertThrows(IllegalArgumentException.class, () -> trainer.fit(split, u -> false));
    }

    @Test
    void preNormLayoutLearnsTheRuleAndRoundTrips(@TempDir Path dir) {
        LeaveOneOutSplit split = synthetic(400, 1);
        SasRecConfig config = new SasRecConfig(ITEMS, 32, 1, 2, 64, 20, 0.1, true);
        assertTrue(config.parameterShapes().containsKey("final_norm.weight"));
        assertFalse(config.parameterShapes().containsKey("emb_norm.weight"));
        SasRecModel model = SasRecModel.initialize(config, 7);
        new SasRecTrainer(model, SasRecTrainerConfig.defaults().withMaxEpochs(20).withBatchSize(32)
                .withLearningRate(3e-3).withEvaluation(100, 3), null).fit(split);
        EvaluationResult r = new Evaluator().test(split, new SasRecRecommender(model, false));
        assertTrue(r.recall(10) > 0.9, r.toString());
        model.save(dir.resolve("pre"));
        SasRecModel loaded = SasRecModel.load(dir.resolve("pre"));
        assertEquals(config, loaded.config());
        List<UserHistory> users = split.test().stream().map(NextItemExample::history).toList();
        List<int[]> a = new SasRecRecommender(model, false).recommend(users, 10);
        List<int[]> b = new SasRecRecommender(loaded, false).recommend(users, 10);
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i));
        // A config written before the option existed reads as the post-LN layout.
        String old = "{\"items\":100,\"dim\":16,\"blocks\":1,\"heads\":1,\"ffn_dim\":32,\"max_length\":20,\"dropout\":0.2}";
        assertFalse(SasRecConfig.fromJson(JsonConfig.parse(old, "test")).preNorm());
    }

    @Test
    void masksHistoryOnlyWhenAsked() {
        LeaveOneOutSplit split = synthetic(50, 2);
        SasRecModel model = SasRecModel.initialize(new SasRecConfig(ITEMS, 16, 1, 1, 32, 20, 0.2), 3);
        int[] seen = new int[ITEMS - 3];
        for (int i = 0; i < seen.length; i++) seen[i] = i;
        UserHistory h = new UserHistory(0, seen);
        int[] masked = new SasRecRecommender(model, true).recommend(List.of(h), 10).getFirst();
        // Only items 97, 98, 99 are unseen: the masked list is cut to those three.
        int[] sorted = masked.clone();
        Arrays.sort(sorted);
        assertArrayEquals(new int[]{97, 98, 99}, sorted);
        int[] plain = new SasRecRecommender(model, false).recommend(List.of(h), 10).getFirst();
        assertEquals(10, plain.length);
        // An empty history still gets a full list.
        assertEquals(10, new SasRecRecommender(model, false).recommend(List.of(new UserHistory(1, new int[0])), 10).getFirst().length);
        assertThrows(IllegalArgumentException.class,
                () -> new SasRecRecommender(model, false).recommend(List.of(new UserHistory(0, new int[]{ITEMS})), 10));
        assertFalse(split.test().isEmpty());
    }

    @Test
    void savedWeightsAndEmbeddingsRoundTrip(@TempDir Path dir) {
        LeaveOneOutSplit split = synthetic(60, 3);
        SasRecModel model = SasRecModel.initialize(new SasRecConfig(ITEMS, 16, 2, 2, 32, 20, 0.3), 5);
        new SasRecTrainer(model, SasRecTrainerConfig.defaults().withMaxEpochs(2).withBatchSize(16).withEvaluation(0, 5), null)
                .fit(split);
        model.save(dir.resolve("sasrec"));
        SasRecModel loaded = SasRecModel.load(dir.resolve("sasrec"));
        assertEquals(model.config(), loaded.config());
        List<UserHistory> users = split.test().stream().map(NextItemExample::history).toList();
        List<int[]> a = new SasRecRecommender(model, false).recommend(users, 10);
        List<int[]> b = new SasRecRecommender(loaded, false).recommend(users, 10);
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i), b.get(i));

        ItemEmbeddings emb = model.itemEmbeddings();
        assertEquals(ITEMS, emb.count());
        assertEquals(16, emb.dim());
        Path file = dir.resolve("emb.safetensors");
        ItemEmbeddingsFile.write(file, emb, "sasrec");
        ItemEmbeddings back = ItemEmbeddingsFile.read(file);
        assertEquals(emb.count(), back.count());
        assertArrayEquals(emb.data(), back.data());
        // Training moved the embeddings away from a fresh initialisation with the same seed.
        assertNotEquals(Arrays.toString(SasRecModel.initialize(model.config(), 5).itemEmbeddings().data()), Arrays.toString(emb.data()));
    }

    @Test
    void ensembleRanksByTheMeanLogSoftmax() {
        LeaveOneOutSplit split = synthetic(40, 6);
        SasRecModel a = SasRecModel.initialize(new SasRecConfig(ITEMS, 16, 1, 1, 32, 20, 0.1), 11);
        SasRecModel b = SasRecModel.initialize(new SasRecConfig(ITEMS, 16, 1, 2, 32, 10, 0.1), 12);
        List<UserHistory> users = split.test().stream().map(NextItemExample::history).toList();
        // One model twice is that model.
        List<int[]> alone = new SasRecRecommender(a, true).recommend(users, 10);
        List<int[]> twice = new SasRecRecommender(List.of(a, a), true).recommend(users, 10);
        for (int i = 0; i < users.size(); i++) assertArrayEquals(alone.get(i), twice.get(i));
        // Two models: the first item is the argmax of the summed log-softmax (each model reading its own maxLength),
        // and the ensemble prior's top item is the same.
        List<int[]> both = new SasRecRecommender(List.of(a, b), false).recommend(users, 10);
        SasRecPrior prior = new SasRecPrior(List.of(a, b), 5, 1.0, false);
        for (int i = 0; i < users.size(); i++) {
            UserHistory h = users.get(i);
            float[] pa = softmax(a, h), pb = softmax(b, h);
            int best = 0;
            for (int j = 1; j < ITEMS; j++) if (Math.log(pa[j]) + Math.log(pb[j]) > Math.log(pa[best]) + Math.log(pb[best])) best = j;
            assertEquals(best, both.get(i)[0], "user " + i);
            assertEquals(best, prior.evidence(h).item(0), "prior, user " + i);
        }
        SasRecModel other = SasRecModel.initialize(new SasRecConfig(ITEMS + 1, 16, 1, 1, 32, 20, 0.1), 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SasRecRecommender(List.of(a, other), true));
        assertTrue(e.getMessage().contains("different catalogs"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SasRecRecommender(List.of(), true));
        assertThrows(IllegalArgumentException.class, () -> new SasRecPrior(List.of(a, other), 5, 1.0, true));
    }

    private static float[] softmax(SasRecModel m, UserHistory h) {
        try (PointerScope scope = new PointerScope();
             NoGradGuard noGrad = new NoGradGuard()) {
            return Torch.toFloats(m.scoreAll(List.of(h.lastItems(m.config().maxLength()).items())).softmax(-1));
        }
    }

    @Test
    void batchesCoverEveryRowOnceInBothModes() {
        LeaveOneOutSplit split = synthetic(300, 5);
        SasRecModel model = SasRecModel.initialize(new SasRecConfig(ITEMS, 16, 1, 1, 32, 20, 0.1), 3);
        for (boolean buckets : new boolean[]{true, false}) {
            SasRecTrainer trainer = new SasRecTrainer(model,
                    SasRecTrainerConfig.defaults().withBatchSize(16).withLengthBuckets(buckets), null);
            List<SasRecTrainer.Row> rows = trainer.rows(split);
            List<List<SasRecTrainer.Row>> batches = trainer.batches(rows, new Random(1));
            Set<SasRecTrainer.Row> seen = Collections.newSetFromMap(new IdentityHashMap<>());
            int widthRanges = 0;
            for (List<SasRecTrainer.Row> b : batches) {
                assertTrue(b.size() <= 16);
                int min = Integer.MAX_VALUE, max = 0;
                for (SasRecTrainer.Row r : b) {
                    assertTrue(seen.add(r), "a row in two batches");
                    min = Math.min(min, r.inputs().length);
                    max = Math.max(max, r.inputs().length);
                }
                widthRanges += max - min;
            }
            assertEquals(rows.size(), seen.size(), "every row in some batch");
            // Buckets: sorted by length, so a batch spans at most one length step at a bucket's border.
            // Random batches of 16 from lengths 3..9 almost surely span several lengths.
            if (buckets) {
                assertTrue(widthRanges <= batches.size(), "bucketed batches mix lengths: " + widthRanges);
            } else {
                assertTrue(widthRanges > 2 * batches.size(), "random batches look sorted: " + widthRanges);
            }
        }
    }

    @Test
    void validationSampleIsSeededAndRandom() {
        LeaveOneOutSplit split = synthetic(200, 4);
        List<NextItemExample> a = SasRecTrainer.sample(split.validation(), 50, 9);
        List<NextItemExample> b = SasRecTrainer.sample(split.validation(), 50, 9);
        assertEquals(50, a.size());
        assertEquals(a, b);
        // Not simply the first 50 users.
        assertNotEquals(split.validation().subList(0, 50), a);
        assertEquals(split.validation(), SasRecTrainer.sample(split.validation(), 0, 9));
    }

    @Test
    void itemTableInitialisationScaleIsTheOneAskedFor() {
        SasRecConfig config = new SasRecConfig(2_000, 32, 1, 1, 64, 20, 0.1);
        try (PointerScope scope = new PointerScope()) {
            for (double std : new double[]{0.02, 0.5}) {
                float[] items = Torch.toFloats(SasRecModel.initialize(config, 5, std).itemTable());
                double sq = 0;
                for (float v : items) sq += (double) v * v;
                double measured = Math.sqrt(sq / items.length);
                assertEquals(std, measured, 0.03 * std, "item embedding std");
            }
            // The other tensors keep the default scale whatever the item table's.
            float[] pos = Torch.toFloats(SasRecModel.initialize(config, 5, 0.5).parameterList().get(1));
            double sq = 0;
            for (float v : pos) sq += (double) v * v;
            assertEquals(0.02, Math.sqrt(sq / pos.length), 0.005, "position embedding std");
        }
        assertThrows(IllegalArgumentException.class, () -> SasRecModel.initialize(config, 5, 0));
    }

    @Test
    void beta2LandsInAdamsSecondSlot() {
        try (PointerScope scope = new PointerScope()) {
            AdamWOptions opts = new AdamWOptions(1e-3);
            SasRecTrainer.setBeta2(opts, 0.98);
            double a = opts.betas().get(0), b = opts.betas().get(1);
            // beta1 keeps its default; beta2 is the one replaced, whichever slot the tuple keeps it in.
            assertEquals(Set.of(0.9, 0.98), Set.of(a, b));
        }
    }

    @Test
    void rejectsBadConfig() {
        assertThrows(IllegalArgumentException.class, () -> new SasRecConfig(10, 30, 1, 4, 32, 20, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new SasRecConfig(10, 32, 1, 4, 32, 20, 1.0));
        assertThrows(IllegalArgumentException.class, () -> new SasRecTrainerConfig(1, 1, 0, 0, 0.999, 1, 0, 1, null, false));
        assertThrows(IllegalArgumentException.class, () -> SasRecTrainerConfig.defaults().withBeta2(1.0));
    }
}

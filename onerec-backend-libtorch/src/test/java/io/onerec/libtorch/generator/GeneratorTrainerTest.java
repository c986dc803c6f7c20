package io.onerec.libtorch.generator;

import io.onerec.testing.SharedData;
import io.onerec.testing.TestModels;
import io.onerec.api.DecodingOptions;
import io.onerec.api.ItemEmbeddings;
import io.onerec.tools.data.Datasets;
import io.onerec.tools.data.InteractionSequences;
import io.onerec.tools.data.LeaveOneOutSplit;
import io.onerec.core.codec.ResidualCodecFitter;
import org.junit.jupiter.api.io.TempDir;
import java.nio.file.Path;
import io.onerec.api.TrainingHistory;
import io.onerec.api.UserHistory;
import io.onerec.tools.data.NextItemExample;
import io.onerec.tools.eval.EvaluationResult;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.core.codec.ResidualCodec;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class GeneratorTrainerTest {
    private static final int ITEMS = 40;

    /**
     * Users whose next item is a fixed function of their last item: learnable, so training must find it. New objects
     * on every call, same content for the same seed (the resume test relies on both).
     */
    static List<NextItemExample> examples(int count, long seed) {
        Random r = new Random(seed);
        List<NextItemExample> out = new ArrayList<>();
        for (int u = 0; u < count; u++) {
            int[] h = new int[2 + r.nextInt(4)];
            for (int i = 0; i < h.length; i++) h[i] = r.nextInt(ITEMS);
            out.add(new NextItemExample(new UserHistory(u, h), (h[h.length - 1] * 7 + 3) % ITEMS, h.length));
        }
        return out;
    }

    /**
     * Product-of-experts training: a prior that knows the rule explains almost all of each target, so the fused loss
     * of an untrained model is far below its plain loss, and validation (which decodes with the same fusion) finds
     * the rule's items although the model alone does not.
     */
    @Test
    void aPriorFusedIntoTrainingLowersTheLossAndIsUsedForValidation() {
        ResidualCodec codec = TestModels.fittedCodec(ITEMS, 4, 21);
        GeneratorConfig cfg = TestModels.config(codec, 0, 0, 1).withCausalEncoder(true);
        TorchGeneratorModel model = TorchGeneratorModel.initialize(cfg, 1);
        Random r = new Random(5);
        int[][] seqs = new int[64][6];
        for (int[] s : seqs) {
            s[0] = r.nextInt(ITEMS);
            for (int i = 1; i < s.length; i++) s[i] = (s[i - 1] * 7 + 3) % ITEMS;
        }
        List<SequenceExample> batch = SequenceExample.windows(seqs, cfg.maxHistory());
        io.onerec.api.ItemPrior rule = history -> new io.onerec.api.ItemPrior.Evidence(
                new int[]{(history.item(history.length() - 1) * 7 + 3) % ITEMS}, new double[]{1});
        GeneratorTrainerConfig tc = new GeneratorTrainerConfig(10, 64, 3e-3, 0.0, 20, 1.0, 1, 5, 3, 0, 10, 0.0, null, 0.0);
        GeneratorTrainer trainer = new GeneratorTrainer(model, codec, tc, null);
        List<NextItemExample> valid = examples(200, 2);
        try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
            double plain = trainer.sequenceLoss(batch).item_double();
            EvaluationResult alone = trainer.evaluate(valid, ITEMS, 10);
            trainer.withPriorFusion(new io.onerec.api.PriorFusion(rule, 1, 0.01));
            double fused = trainer.sequenceLoss(batch).item_double();
            EvaluationResult withPrior = trainer.evaluate(valid, ITEMS, 10);
            assertTrue(fused < 0.2 * plain, "loss with the prior " + fused + " vs alone " + plain);
            assertTrue(alone.recall(5) < 0.5, "the untrained model alone: " + alone);
            assertTrue(withPrior.recall(5) > 0.95, "validation decodes with the prior: " + withPrior);
            trainer.withPriorFusion(null);
            assertEquals(plain, trainer.sequenceLoss(batch).item_double(), 1e-5, "turned off again");
        }
    }

    /**
     * Validation that leaves the history out scores what is served: validation users whose next item repeats their
     * latest one, and a fused prior that names exactly that item. With the history in the lists validation finds it;
     * left out, it can never be listed, so recall is exactly 0.
     */
    @Test
    void validationCanLeaveTheHistoryOutAsServed() {
        ResidualCodec codec = TestModels.fittedCodec(ITEMS, 4, 21);
        GeneratorConfig cfg = TestModels.config(codec, 0, 0, 1).withCausalEncoder(true);
        TorchGeneratorModel model = TorchGeneratorModel.initialize(cfg, 1);
        io.onerec.api.ItemPrior repeatLast = history -> new io.onerec.api.ItemPrior.Evidence(
                new int[]{history.item(history.length() - 1)}, new double[]{1});
        GeneratorTrainerConfig tc = new GeneratorTrainerConfig(10, 64, 3e-3, 0.0, 20, 1.0, 1, 5, 3, 0, 10, 0.0, null, 0.0);
        GeneratorTrainer trainer = new GeneratorTrainer(model, codec, tc, null)
                .withPriorFusion(new io.onerec.api.PriorFusion(repeatLast, 1, 0.01));
        List<NextItemExample> repeats = new ArrayList<>();
        for (NextItemExample e : examples(200, 3)) {
            int[] h = e.history().items();
            repeats.add(new NextItemExample(e.history(), h[h.length - 1], h.length));
        }
        EvaluationResult historyIn = trainer.evaluate(repeats, ITEMS, 10);
        EvaluationResult historyOut = trainer.withValidationExcludingHistory(true).evaluate(repeats, ITEMS, 10);
        assertTrue(historyIn.recall(5) > 0.95, "with the history in the lists: " + historyIn);
        assertEquals(0.0, historyOut.recall(10), 0.0, "history left out: " + historyOut);
        assertTrue(trainer.withValidationExcludingHistory(false).evaluate(repeats, ITEMS, 10).recall(5) > 0.95, "back in");
    }

    @Test
    void trainingLearnsADeterministicNextItemRule() {
        ResidualCodec codec = TestModels.fittedCodec(ITEMS, 4, 21);
        GeneratorConfig cfg = TestModels.config(codec, 0, 0, 1);
        TorchGeneratorModel model = TorchGeneratorModel.initialize(cfg, 1);
        List<NextItemExample> train = examples(1200, 1), valid = examples(200, 2);
        GeneratorTrainerConfig tc = new GeneratorTrainerConfig(10, 64, 3e-3, 0.0, 20, 1.0, 1, 5, 3, 0, 10, 0.0, null, 0.0);
        GeneratorTrainer trainer = new GeneratorTrainer(model, codec, tc, null);
        EvaluationResult before = trainer.evaluate(valid, ITEMS, 10);
        double firstLoss = trainer.trainStep(SessionExample.nextItem(train.subList(0, 64)));
        GeneratorTrainer.Result result = trainer.fit(train, valid, ITEMS);
        assertTrue(result.lastLoss() < firstLoss * 0.3, "loss " + firstLoss + " -> " + result.lastLoss());
        EvaluationResult after = trainer.evaluate(valid, ITEMS, 10);
        assertTrue(after.recall(5) > 0.9, "recall@5 after training: " + after + " (before: " + before + ")");
        assertTrue(before.recall(5) < 0.5, "an untrained model should not already know the rule: " + before);
        assertNotNull(result.bestValidation());

        // The history holds every epoch fit ran in step order, validation metrics on the validated ones (evalEvery 5);
        // its best epoch is the result's, and the mean loss fell.
        TrainingHistory history = trainer.history();
        assertEquals(result.epochs(), history.epochs().size(), "one entry per epoch: " + history);
        for (int i = 0; i < history.epochs().size(); i++) {
            TrainingHistory.Epoch e = history.epochs().get(i);
            assertEquals(i + 1, e.epoch());
            assertEquals(e.epoch() % 5 == 0, e.validated(), "epoch " + e.epoch() + " validated: " + e.validation());
            // 1200 examples in batches of 64: 19 per epoch.
            assertEquals(19, e.batches());
            if (i > 0) assertEquals(history.epochs().get(i - 1).step() + 19, e.step(), "steps ascend: " + history);
        }
        assertEquals(result.steps(), history.epochs().getLast().step());
        assertEquals(result.bestValidation().ndcg(10),
                history.epochs().get(result.bestEpoch() - 1).validation().get("ndcg@10"), 0.0);
        assertTrue(history.epochs().getLast().meanLoss() < history.epochs().getFirst().meanLoss(), "mean loss falls: " + history);

        // The trained generator's top beam is the rule's item for a fresh user.
        TorchGenerator gen = new TorchGenerator(model, codec);
        UserHistory fresh = new UserHistory(99, new int[]{5, 11});
        assertEquals((11 * 7 + 3) % ITEMS, gen.generate(fresh, DecodingOptions.beams(5)).getFirst().firstItem());
    }

    /**
     * Real data: TIGER training examples of the first Amazon Beauty users over the full 12,101-item catalog. The
     * codec is fitted on random item vectors (cheap; the SIDs carry no content here), so the loss can only fall by
     * learning which items these users buy; the best checkpoint must reload to the same loss.
     */
    @Test
    void trainingOnABeautySliceReducesLoss(@TempDir Path dir) {
        InteractionSequences beauty = Datasets.beauty(SharedData.beauty());
        LeaveOneOutSplit split = LeaveOneOutSplit.of(beauty, 20);
        Random r = new Random(5);
        float[] vectors = new float[beauty.itemCount() * 8];
        for (int i = 0; i < vectors.length; i++) vectors[i] = (float) r.nextGaussian();
        var fitter = new ResidualCodecFitter(ResidualCodecFitter.Config.of(2, 16, ResidualCodecFitter.Method.KMEANS).withSeed(5).withThreads(1).withMaxIterations(3));
        ResidualCodec codec = fitter.fit(new ItemEmbeddings(beauty.itemCount(), 8, vectors)).codec();
        TorchGeneratorModel model = TorchGeneratorModel.initialize(new GeneratorConfig(32, 4, 64, 1, 1, 0, 0, 10, codec.codebookSizes(), 0, 1, 1e-6), 5);
        List<SessionExample> train = SessionExample.nextItem(split.train().subList(0, 512));
        GeneratorTrainerConfig tc = new GeneratorTrainerConfig(4, 128, 1e-2, 0.0, 2, 1.0, 5, 0, 1, 0, 10, 0.0, null, 0.0);
        GeneratorTrainer trainer = new GeneratorTrainer(model, codec, tc, null).checkpointTo(dir);
        double before = trainer.meanLoss(train);
        trainer.fitSessions(train, List.of(), beauty.itemCount());
        double after = trainer.meanLoss(train);
        assertTrue(after < before * 0.85, "loss per code " + before + " -> " + after);
        GeneratorTrainer reloaded = new GeneratorTrainer(TorchGeneratorModel.load(dir), codec, tc, null);
        assertEquals(after, reloaded.meanLoss(train), 1e-4);
    }

    @Test
    void moeSessionTrainingReducesLoss() {
        ResidualCodec codec = TestModels.fittedCodec(ITEMS, 4, 22);
        TorchGeneratorModel model = TorchGeneratorModel.initialize(TestModels.config(codec, 4, 8, 2), 2);
        Random r = new Random(3);
        List<SessionExample> train = new ArrayList<>();
        for (int u = 0; u < 400; u++) {
            int last = r.nextInt(ITEMS);
            train.add(new SessionExample(new UserHistory(u, new int[]{r.nextInt(ITEMS), last}),
                    new int[]{(last + 1) % ITEMS, (last + 2) % ITEMS}));
        }
        GeneratorTrainerConfig tc = new GeneratorTrainerConfig(12, 50, 3e-3, 0.0, 10, 1.0, 1, 0, 1, 0, 10, 0.01, null, 0.0);
        GeneratorTrainer trainer = new GeneratorTrainer(model, codec, tc, null);
        double first = trainer.trainStep(train.subList(0, 50));
        GeneratorTrainer.Result result = trainer.fitSessions(train, List.of(), ITEMS);
        assertTrue(result.lastLoss() < first * 0.5, "loss " + first + " -> " + result.lastLoss());
    }

    @Test
    void theCosineEndsAtTheConfiguredShareOfThePeak() {
        double peak = 3e-3;
        // Warm-up: linear, the peak at its last step.
        assertEquals(peak / 10, GeneratorTrainer.learningRateAt(0, peak, 10, 110, 0.1), 1e-12);
        assertEquals(peak, GeneratorTrainer.learningRateAt(9, peak, 10, 110, 0.1), 1e-12);
        assertEquals(peak, GeneratorTrainer.learningRateAt(10, peak, 10, 110, 0.1), 1e-12);
        // Half-way down the cosine: the mean of the peak and the floor.
        assertEquals(peak * 0.55, GeneratorTrainer.learningRateAt(60, peak, 10, 110, 0.1), 1e-12);
        assertEquals(peak * 0.5, GeneratorTrainer.learningRateAt(60, peak, 10, 110, 0.0), 1e-12);
        // The end, and past it (a time budget's estimate of the total can fall short): the floor.
        assertEquals(peak * 0.1, GeneratorTrainer.learningRateAt(110, peak, 10, 110, 0.1), 1e-12);
        assertEquals(0.0, GeneratorTrainer.learningRateAt(110, peak, 10, 110, 0.0), 1e-12);
        assertEquals(0.0, GeneratorTrainer.learningRateAt(500, peak, 10, 110, 0.0), 1e-12);
        assertEquals(GeneratorTrainerConfig.DEFAULT_FINAL_LEARNING_RATE_SHARE, GeneratorTrainerConfig.defaults().finalLearningRateShare());
        assertEquals(0.0, GeneratorTrainerConfig.defaults().withFinalLearningRateShare(0).finalLearningRateShare());
        assertThrows(IllegalArgumentException.class, () -> GeneratorTrainerConfig.defaults().withFinalLearningRateShare(-0.1));
        assertThrows(IllegalArgumentException.class, () -> GeneratorTrainerConfig.defaults().withFinalLearningRateShare(1.5));
    }
}

package io.onerec.libtorch.generator;

import io.onerec.api.ItemPrior;
import io.onerec.api.PriorFusion;
import io.onerec.api.SemanticId;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.api.generator.GeneratorTokens;
import io.onerec.core.codec.ResidualCodec;
import io.onerec.testing.TestModels;
import io.onerec.tools.data.NextItemExample;
import io.onerec.tools.eval.EvaluationResult;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Knowledge distillation into the sequence loss ({@link SessionLogProbs.SoftTargets},
 * {@link GeneratorTrainer#withDistillation}): the mixed target's arithmetic, and that a teacher's rule is learned into
 * a generator that is then served alone.
 */
class DistillationTest {
    private static final int ITEMS = 40;

    /** A small causal-encoder model over a fitted 40-item codec. */
    private static final class Fixture {
        final ResidualCodec codec = TestModels.fittedCodec(ITEMS, 4, 3);
        final GeneratorConfig cfg = TestModels.config(codec, 0, 0, 1).withCausalEncoder(true);
        final TorchGeneratorModel model = TorchGeneratorModel.initialize(cfg, 7);
        final GeneratorTokens vocab = new GeneratorTokens(cfg, codec);
    }

    private static float[] values(Tensor t) {
        Tensor c = t.contiguous();
        float[] out = new float[(int) c.numel()];
        c.data_ptr_float().get(out);
        return out;
    }

    /** One-hot soft targets on the target's own codes are the plain target, whatever their share. */
    @Test
    void softTargetsOnTheTargetsOwnCodesChangeNothing() {
        Fixture f = new Fixture();
        List<SequenceExample> windows = List.of(new SequenceExample(0, new int[]{1, 5, 9, 13}), new SequenceExample(1, new int[]{2, 30}));
        int n = 4, levels = f.cfg.codeLevels();
        float[][] q = new float[levels][];
        for (int l = 0; l < levels; l++) q[l] = new float[n * f.cfg.codebookSize(l)];
        int r = 0;
        for (SequenceExample w : windows) {
            for (int k = 1; k < w.items().length; k++, r++) {
                SemanticId sid = f.codec.sidOf(w.items()[k]);
                for (int l = 0; l < levels; l++) q[l][r * f.cfg.codebookSize(l) + sid.code(l)] = 1;
            }
        }
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            float[] plain = values(SessionLogProbs.computeSequences(f.model, f.vocab, windows, 0).tokenLogProbs());
            float[] mixed = values(SessionLogProbs.computeSequences(f.model, f.vocab, windows, 0, null,
                    new SessionLogProbs.SoftTargets(q, 0.7)).tokenLogProbs());
            assertEquals(plain.length, mixed.length);
            for (int i = 0; i < plain.length; i++) assertEquals(plain[i], mixed[i], 1e-5, "code " + i);
        }
    }

    /**
     * With all of the mass on another code, a level's value is that code's log-probability: the same number the plain
     * loss gives for a target item that starts with that code (the first level depends on the history only).
     */
    @Test
    void aFullShareScoresTheSoftTargetsCode() {
        Fixture f = new Fixture();
        int target = 5, other = -1;
        for (int i = 0; i < ITEMS && other < 0; i++) if (f.codec.sidOf(i).code(0) != f.codec.sidOf(target).code(0)) other = i;
        int k0 = f.cfg.codebookSize(0);
        float[][] q = new float[f.cfg.codeLevels()][];
        for (int l = 0; l < q.length; l++) q[l] = new float[f.cfg.codebookSize(l)];
        q[0][f.codec.sidOf(other).code(0)] = 1;
        for (int l = 1; l < q.length; l++) q[l][f.codec.sidOf(target).code(l)] = 1;
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            float[] soft = values(SessionLogProbs.computeSequences(f.model, f.vocab, List.of(new SequenceExample(0, new int[]{3, target})), 0,
                    null, new SessionLogProbs.SoftTargets(q, 1.0)).tokenLogProbs());
            float[] plainOther = values(SessionLogProbs.computeSequences(f.model, f.vocab, List.of(new SequenceExample(0, new int[]{3, other})), 0)
                    .tokenLogProbs());
            float[] plainTarget = values(SessionLogProbs.computeSequences(f.model, f.vocab, List.of(new SequenceExample(0, new int[]{3, target})), 0)
                    .tokenLogProbs());
            assertEquals(plainOther[0], soft[0], 1e-5, "level 0 scores the soft target's code (codebook of " + k0 + ")");
            assertTrue(Math.abs(plainTarget[0] - soft[0]) > 1e-4, "and not the target's");
            for (int l = 1; l < soft.length; l++) assertEquals(plainTarget[l], soft[l], 1e-5, "level " + l);
        }
    }

    @Test
    void badSoftTargetsAreRejected() {
        Fixture f = new Fixture();
        assertThrows(IllegalArgumentException.class, () -> new SessionLogProbs.SoftTargets(new float[1][], 1.5));
        float[][] wrongSize = new float[f.cfg.codeLevels()][3];
        try (PointerScope scope = new PointerScope()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SessionLogProbs.computeSequences(f.model, f.vocab,
                    List.of(new SequenceExample(0, new int[]{3, 4})), 0, null, new SessionLogProbs.SoftTargets(wrongSize, 0.5)));
            assertTrue(e.getMessage().contains("soft targets of level 0"), e.getMessage());
        }
        GeneratorTrainer trainer = new GeneratorTrainer(f.model, f.codec, GeneratorTrainerConfig.defaults(), null);
        ItemPrior none = history -> ItemPrior.Evidence.empty();
        assertThrows(IllegalArgumentException.class, () -> trainer.withDistillation(new PriorFusion(none, 1, 0.1), 1.2));
        trainer.withDistillation(new PriorFusion(none, 1, 0.1), 0.5);
        assertThrows(IllegalStateException.class, () -> trainer.trainStep(SessionExample.nextItem(GeneratorTrainerTest.examples(4, 1))),
                "single-target training cannot distil: it fails instead of silently training without the teacher");
        assertThrows(IllegalStateException.class, () -> trainer.withPriorFusion(new PriorFusion(none, 1, 0.1)),
                "distillation and a product of experts do not combine");
    }

    /**
     * Training targets are random, so the data alone teach nothing; a teacher that knows a rule (next = 7 * last + 3
     * mod 40) teaches it through the soft targets, and the generator, decoding alone, then follows the rule. The same
     * training without the teacher does not.
     */
    @Test
    void aTeachersRuleIsLearnedIntoTheGeneratorServedAlone() {
        ItemPrior rule = history -> new ItemPrior.Evidence(new int[]{(history.item(history.length() - 1) * 7 + 3) % ITEMS}, new double[]{1});
        EvaluationResult taught = train(rule, 0.8), untaught = train(rule, 0.0);
        assertTrue(taught.recall(5) > 0.8, "with the teacher: " + taught);
        assertTrue(untaught.recall(5) < 0.4, "without it: " + untaught);
    }

    private static EvaluationResult train(ItemPrior teacher, double share) {
        ResidualCodec codec = TestModels.fittedCodec(ITEMS, 4, 21);
        GeneratorConfig cfg = TestModels.config(codec, 0, 0, 1).withCausalEncoder(true);
        TorchGeneratorModel model = TorchGeneratorModel.initialize(cfg, 1);
        Random r = new Random(5);
        int[][] seqs = new int[300][6];
        for (int[] s : seqs) for (int i = 0; i < s.length; i++) s[i] = r.nextInt(ITEMS);
        GeneratorTrainerConfig tc = new GeneratorTrainerConfig(30, 32, 3e-3, 0.0, 20, 1.0, 1, 0, 3, 0, 10, 0.0, null, 0.0);
        GeneratorTrainer trainer = new GeneratorTrainer(model, codec, tc, null).withDistillation(new PriorFusion(teacher, 1, 0.01), share);
        trainer.fitSequences(SequenceExample.windows(seqs, cfg.maxHistory()), List.of(), ITEMS);
        // Validation follows the rule; decoding is the generator's alone (no fusion).
        List<NextItemExample> valid = new ArrayList<>();
        for (NextItemExample e : GeneratorTrainerTest.examples(200, 2)) valid.add(e);
        return trainer.evaluate(valid, ITEMS, 10);
    }
}

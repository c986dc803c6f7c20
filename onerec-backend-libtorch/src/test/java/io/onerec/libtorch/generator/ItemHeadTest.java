package io.onerec.libtorch.generator;

import io.onerec.api.ItemPrior;
import io.onerec.api.PriorFusion;
import io.onerec.api.UserHistory;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.api.generator.GeneratorTokens;
import io.onerec.api.generator.ItemHead;
import io.onerec.core.codec.ResidualCodec;
import io.onerec.libtorch.Torch;
import io.onerec.testing.TestModels;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The item head ({@link TorchGeneratorModel#itemLogits}, {@link GeneratorTrainer#withItemHead}, the
 * LibTorch decoder's {@code itemLogits}): which state it reads, its loss's arithmetic, that it learns, and that misuse fails.
 * That both backends compute the same head and fuse it alike is CpuParityTest's; the fusion's arithmetic PriorFusionSearchTest's.
 */
class ItemHeadTest {
    private static final int ITEMS = 40;

    private static final class Fixture {
        final ResidualCodec codec = TestModels.fittedCodec(ITEMS, 4, 3);
        final GeneratorConfig cfg = TestModels.config(codec, 0, 0, 1).withCausalEncoder(true).withItemVocab(ITEMS);
        final TorchGeneratorModel model = TorchGeneratorModel.initialize(cfg, 7);
        final GeneratorTokens vocab = new GeneratorTokens(cfg, codec);

        /** Item logits for one history read on its own: [ITEMS]. */
        float[] alone(UserHistory h) {
            EncoderBatch enc = EncoderBatch.of(vocab, List.of(h));
            Tensor encoded = model.encode(enc.tokens(), enc.items(), enc.padded());
            return Torch.toFloats(model.itemLogits(model.lastHistoryStates(encoded, enc.padded())).contiguous());
        }
    }

    private static final List<SequenceExample> WINDOWS = List.of(new SequenceExample(0, new int[]{1, 5, 9, 13}),
            new SequenceExample(1, new int[]{2, 30}));

    /** Target k of a window is scored from the state after item k, the state its prefix alone gives (causal encoder). */
    @Test
    void eachTargetIsScoredFromTheStateAfterItsOwnPrefix() {
        Fixture f = new Fixture();
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            SessionLogProbs.Result r = SessionLogProbs.computeSequences(f.model, f.vocab, WINDOWS, 0);
            Tensor logits = f.model.itemLogits(r.lastStates()).contiguous();
            assertEquals(4, logits.size(0));
            assertEquals(ITEMS, logits.size(1));
            float[] all = Torch.toFloats(logits);
            int row = 0;
            for (SequenceExample w : WINDOWS) {
                for (int k = 0; k + 1 < w.items().length; k++, row++) {
                    float[] alone = f.alone(new UserHistory(w.userId(), java.util.Arrays.copyOf(w.items(), k + 1)));
                    for (int i = 0; i < ITEMS; i++) assertEquals(alone[i], all[row * ITEMS + i], 1e-4, "target " + row + ", item " + i);
                }
            }
        }
    }

    /** Without a teacher a target's value is log softmax at its item; with one, the mixture (1 - s) one-hot + s q. */
    @Test
    void theLossIsTheTargetsLogProbabilityMixedWithTheTeachersDistribution() {
        Fixture f = new Fixture();
        GeneratorLoss loss = new GeneratorLoss(f.model, f.vocab, f.codec, 0, 0);
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            SessionLogProbs.Result r = SessionLogProbs.computeSequences(f.model, f.vocab, WINDOWS, 0);
            float[] logp = Torch.toFloats(f.model.itemLogits(r.lastStates()).log_softmax(-1).contiguous());
            int[] targets = {5, 9, 13, 30};
            float[] plain = Torch.toFloats(loss.itemHeadLogProbs(WINDOWS, r.lastStates(), null));
            for (int t = 0; t < 4; t++) assertEquals(logp[t * ITEMS + targets[t]], plain[t], 1e-5, "target " + t);

            ItemPrior none = h -> ItemPrior.Evidence.empty();
            loss.distillFrom(new PriorFusion(none, 1, 0.02), 0.6);
            // Weights need not sum to 1 (they are normalised); target 2's teacher says nothing: one-hot alone.
            List<ItemPrior.Evidence> taught = List.of(new ItemPrior.Evidence(new int[]{7, 11}, new double[]{3, 1}),
                    new ItemPrior.Evidence(new int[]{9}, new double[]{2}), ItemPrior.Evidence.empty(),
                    new ItemPrior.Evidence(new int[]{0, 30, 39}, new double[]{1, 1, 2}));
            float[] mixed = Torch.toFloats(loss.itemHeadLogProbs(WINDOWS, r.lastStates(), taught));
            assertEquals(0.4 * logp[5] + 0.6 * (0.75 * logp[7] + 0.25 * logp[11]), mixed[0], 1e-5);
            assertEquals(logp[ITEMS + 9], mixed[1], 1e-5, "a teacher that agrees with the target changes nothing");
            assertEquals(logp[2 * ITEMS + 13], mixed[2], 1e-5);
            assertEquals(0.4 * logp[3 * ITEMS + 30] + 0.6 * (0.25 * logp[3 * ITEMS] + 0.25 * logp[3 * ITEMS + 30] + 0.5 * logp[3 * ITEMS + 39]),
                    mixed[3], 1e-5);
        }
    }

    /**
     * Sequences follow a rule (next = 7 * last + 3 mod 40); trained with the item head, the head ranks the rule's item
     * first for most histories; trained without it, the untrained head does not.
     */
    @Test
    void theHeadLearnsARule() {
        double withHead = ruleAccuracy(1.0), without = ruleAccuracy(0.0);
        assertTrue(withHead > 0.8, "trained with the item head: top-1 " + withHead);
        assertTrue(without < 0.3, "without it: top-1 " + without);
    }

    private static double ruleAccuracy(double itemHeadWeight) {
        ResidualCodec codec = TestModels.fittedCodec(ITEMS, 4, 21);
        GeneratorConfig cfg = TestModels.config(codec, 0, 0, 1).withCausalEncoder(true).withItemVocab(ITEMS);
        TorchGeneratorModel model = TorchGeneratorModel.initialize(cfg, 1);
        Random r = new Random(5);
        int[][] seqs = new int[300][6];
        for (int[] s : seqs) {
            s[0] = r.nextInt(ITEMS);
            for (int i = 1; i < s.length; i++) s[i] = (s[i - 1] * 7 + 3) % ITEMS;
        }
        GeneratorTrainerConfig tc = new GeneratorTrainerConfig(12, 32, 3e-3, 0.0, 20, 1.0, 1, 0, 3, 0, 10, 0.0, null, 0.0);
        GeneratorTrainer trainer = new GeneratorTrainer(model, codec, tc, null).withItemHead(itemHeadWeight);
        trainer.fitSequences(SequenceExample.windows(seqs, cfg.maxHistory()), List.of(), ITEMS);
        GeneratorTokens vocab = new GeneratorTokens(cfg, codec);
        int hits = 0;
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard();
             var session = new TorchStepDecoder(model, vocab).start(probes(), 1)) {
            float[] logits = session.itemLogits();
            for (int x = 0; x < ITEMS; x++) {
                ItemPrior.Evidence e = ItemHead.evidence(logits, x * ITEMS, ITEMS, probes().get(x).items(), true, 1);
                if (e.item(0) == (x * 7 + 3) % ITEMS) hits++;
            }
        }
        return hits / (double) ITEMS;
    }

    /** One two-item history ending in each item x (the first item does not follow the rule). */
    private static List<UserHistory> probes() {
        List<UserHistory> out = new java.util.ArrayList<>();
        for (int x = 0; x < ITEMS; x++) out.add(new UserHistory(x, new int[]{(x * 11 + 5) % ITEMS, x}));
        return out;
    }

    @Test
    void misuseIsRefused() {
        Fixture f = new Fixture();
        GeneratorConfig noItems = TestModels.config(f.codec, 0, 0, 1).withCausalEncoder(true);
        TorchGeneratorModel plain = TorchGeneratorModel.initialize(noItems, 7);
        GeneratorTrainer plainTrainer = new GeneratorTrainer(plain, f.codec, GeneratorTrainerConfig.defaults(), null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plainTrainer.withItemHead(1));
        assertTrue(e.getMessage().contains("item_vocab"), e.getMessage());
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard();
             var session = new TorchStepDecoder(plain, new GeneratorTokens(noItems, f.codec)).start(TestModels.users(2, ITEMS, 0, 1), 2)) {
            assertThrows(IllegalStateException.class, session::itemLogits, "no item-ID embeddings, no item head");
        }
        GeneratorTrainer trainer = new GeneratorTrainer(f.model, f.codec, GeneratorTrainerConfig.defaults(), null);
        assertThrows(IllegalArgumentException.class, () -> trainer.withItemHead(-1));
        assertThrows(IllegalArgumentException.class, () -> trainer.withItemHead(Double.POSITIVE_INFINITY));
        trainer.withItemHead(0.5);
        assertThrows(IllegalStateException.class, () -> trainer.trainStep(SessionExample.nextItem(GeneratorTrainerTest.examples(4, 1))),
                "single-target training has no item head: it fails instead of silently training without it");
    }
}

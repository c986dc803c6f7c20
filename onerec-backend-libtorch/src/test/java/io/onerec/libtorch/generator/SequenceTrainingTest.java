package io.onerec.libtorch.generator;

import io.onerec.api.UserHistory;
import io.onerec.testing.TestModels;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.api.generator.GeneratorTokens;
import io.onerec.core.codec.ResidualCodec;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Causal-encoder sequence training computes exactly the per-prefix next-item log-probabilities. */
class SequenceTrainingTest {

    @Test
    void windowsCoverEveryTargetOnceWithinTheHistoryCap() {
        int[][] seqs = {{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {4, 5}, {7}};
        List<SequenceExample> w = SequenceExample.windows(seqs, 3);
        List<Integer> targets = new ArrayList<>();
        for (SequenceExample e : w) {
            int[] items = e.items();
            assertEquals(true, items.length <= 4, "window " + Arrays.toString(items) + " longer than max history + 1");
            for (int k = 1; k < items.length; k++) targets.add(items[k]);
        }
        targets.sort(null);
        assertEquals(List.of(2, 3, 4, 5, 5, 6, 7, 8, 9, 10), targets);
        assertArrayEquals(new int[]{7, 8, 9, 10}, w.get(0).items());
    }

    @Test
    void windowLogProbsEqualPrefixLogProbs() {
        for (int userBuckets : new int[]{0, 3}) for (boolean bosReadsLast : new boolean[]{false, true}) {
            ResidualCodec codec = TestModels.fittedCodec(60, 4, 3);
            GeneratorConfig cfg = TestModels.config(codec, 0, userBuckets, 1).withItemVocab(50).withCausalEncoder(true)
                    .withBosReadsLastState(bosReadsLast);
            TorchGeneratorModel model = TorchGeneratorModel.initialize(cfg, 11);
            GeneratorTokens vocab = new GeneratorTokens(cfg, codec);
            Random r = new Random(5);
            List<SequenceExample> windows = new ArrayList<>();
            List<UserHistory> prefixes = new ArrayList<>();
            List<int[]> targets = new ArrayList<>();
            for (int u = 0; u < 5; u++) {
                int[] items = new int[2 + r.nextInt(cfg.maxHistory())];
                for (int i = 0; i < items.length; i++) items[i] = r.nextInt(60); // some beyond item_vocab
                windows.add(new SequenceExample(u, items));
                for (int k = 1; k < items.length; k++) {
                    prefixes.add(new UserHistory(u, Arrays.copyOf(items, k)));
                    targets.add(new int[]{items[k]});
                }
            }
            try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
                Tensor seq = SessionLogProbs.computeSequences(model, vocab, windows, 0).tokenLogProbs().contiguous();
                Tensor ref = SessionLogProbs.compute(model, vocab, prefixes, targets).tokenLogProbs().contiguous();
                float[] a = new float[(int) seq.numel()], b = new float[(int) ref.numel()];
                seq.data_ptr_float().get(a);
                ref.data_ptr_float().get(b);
                assertEquals(b.length, a.length);
                for (int i = 0; i < a.length; i++) assertEquals(b[i], a[i], 1e-4, "log-prob " + i + " (user buckets " + userBuckets + ")");
            }
        }
    }

    @Test
    void bidirectionalModelRefusesSequenceTraining() {
        ResidualCodec codec = TestModels.fittedCodec(30, 4, 3);
        GeneratorConfig cfg = TestModels.config(codec, 0, 0, 1);
        TorchGeneratorModel model = TorchGeneratorModel.initialize(cfg, 1);
        GeneratorTokens vocab = new GeneratorTokens(cfg, codec);
        assertThrows(IllegalArgumentException.class,
                () -> SessionLogProbs.computeSequences(model, vocab, List.of(new SequenceExample(0, new int[]{1, 2})), 0));
    }
}

package io.onerec.libtorch.generator;

import io.onerec.api.DecodingOptions;
import io.onerec.api.GeneratedSession;
import io.onerec.api.UserHistory;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.core.codec.ResidualCodec;
import io.onerec.libtorch.Torch;
import io.onerec.testing.TestModels;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * bfloat16 matrix products through LibTorch's autocast: the decoder's log-probabilities move (so autocast is really
 * on), but only by bf16's rounding (8 bits of mantissa), the thread's autocast state is restored after each call,
 * and a bf16 training step runs and lowers the loss like an fp32 one.
 */
class Bf16PrecisionTest {
    private static final int ITEMS = 60;
    private final ResidualCodec codec = TestModels.fittedCodec(ITEMS, 4, 21);
    private final GeneratorConfig cfg = TestModels.config(codec, 0, 0, 1);

    @Test
    void bf16DecodingStaysCloseToFp32AndRestoresTheThreadsAutocastState() {
        Torch.load();
        TorchGeneratorModel model = TorchGeneratorModel.initialize(cfg, 3);
        TorchGenerator fp32 = new TorchGenerator(model, () -> codec, Torch.Precision.FP32);
        TorchGenerator bf16 = new TorchGenerator(model, () -> codec, Torch.Precision.BF16);
        List<UserHistory> users = TestModels.users(8, ITEMS, 0, 4);
        DecodingOptions all = DecodingOptions.beams(ITEMS); // every item, so each item's log-probability can be compared
        List<List<GeneratedSession>> a = fp32.generateBatch(users, all), b = bf16.generateBatch(users, all);
        assertFalse(torch.is_autocast_enabled(torch.DeviceType.CPU), "autocast left on after a bf16 call");
        double max = 0;
        int top1 = 0;
        for (int u = 0; u < users.size(); u++) {
            double[] exact = new double[ITEMS];
            for (GeneratedSession s : a.get(u)) exact[s.firstItem()] = s.logProb();
            assertEquals(ITEMS, b.get(u).size());
            for (GeneratedSession s : b.get(u)) max = Math.max(max, Math.abs(s.logProb() - exact[s.firstItem()]));
            if (a.get(u).getFirst().firstItem() == b.get(u).getFirst().firstItem()) top1++;
        }
        LoggerFactory.getLogger(Bf16PrecisionTest.class).info("bf16 vs fp32: max |log p difference| {}, same top item for {} of {} users",
                max, top1, users.size());
        assertTrue(max > 0, "bf16 decoding gave bit-identical log-probabilities: autocast had no effect");
        assertTrue(max < 0.1, "bf16 log-probabilities differ from fp32 by " + max);
        // fp32 after bf16 on the same thread is fp32 again.
        assertEquals(a, fp32.generateBatch(users, all));
    }

    @Test
    void aBf16TrainingStepLowersTheLoss() {
        Torch.load();
        TorchGeneratorModel model = TorchGeneratorModel.initialize(cfg, 5);
        GeneratorTrainerConfig tc = new GeneratorTrainerConfig(10, 64, 3e-3, 0.0, 20, 1.0, 1, 5, 3, 0, 10, 0.0, null, 0.0);
        GeneratorTrainer trainer = new GeneratorTrainer(model, codec, tc, null).withPrecision(Torch.Precision.BF16);
        List<SessionExample> batch = SessionExample.nextItem(GeneratorTrainerTest.examples(64, 9));
        double first = trainer.trainStep(batch);
        double last = first;
        for (int i = 0; i < 30; i++) last = trainer.trainStep(batch);
        assertTrue(Double.isFinite(last) && last < 0.7 * first, "bf16 training loss " + first + " -> " + last);
        assertFalse(torch.is_autocast_enabled(torch.DeviceType.CPU), "autocast left on after a training step");
    }
}

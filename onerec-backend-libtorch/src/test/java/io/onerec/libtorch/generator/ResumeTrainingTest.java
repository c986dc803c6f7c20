package io.onerec.libtorch.generator;

import io.onerec.testing.TestModels;
import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.api.checkpoint.JsonConfig;
import io.onerec.tools.data.NextItemExample;
import io.onerec.core.codec.ResidualCodec;
import io.onerec.libtorch.Torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A run stopped and continued by a new trainer from its saved state must take exactly the steps of a run that was
 * never stopped: the same per-step losses, the same final weights, the same early-stopping outcome and the same torch
 * random stream afterwards.
 */
class ResumeTrainingTest {
    private static final int ITEMS = 40;
    /** 200 examples in batches of 40: 5 steps per epoch, 3 epochs. Stopping after step 7 stops in epoch 2. */
    private static final int STEPS = 15, STOP_AFTER = 7;
    /** With dropout, so the resumed steps also depend on torch's random stream being restored. */
    private static final GeneratorTrainerConfig CONFIG = new GeneratorTrainerConfig(3, 40, 3e-3, 0.01, 3, 1.0, 7, 1, 5, 0, 10, 0.0, null, 0.1);

    private final ResidualCodec codec = TestModels.fittedCodec(ITEMS, 4, 21);

    /** Learnable examples, shared with {@link GeneratorTrainerTest} (same item count). */
    private static List<NextItemExample> examples(int count, long seed) {
        return GeneratorTrainerTest.examples(count, seed);
    }

    private TorchGeneratorModel freshModel() {
        return TorchGeneratorModel.initialize(TestModels.config(codec, 0, 0, 1), 3);
    }

    private static float[][] weights(TorchGeneratorModel model) {
        return model.parameterList().stream().map(Torch::toFloats).toArray(float[][]::new);
    }

    @Test
    void aStoppedAndResumedRunTakesTheStepsOfAnUninterruptedOne(@TempDir Path tmp) throws IOException {
        // Uninterrupted (its state is saved too, at the end of each epoch only).
        List<Double> whole = new ArrayList<>();
        GeneratorTrainer uninterrupted = new GeneratorTrainer(freshModel(), codec, CONFIG, null)
                .saveStateTo(tmp.resolve("whole"), 1000)
                .onStep((step, loss) -> {
                    whole.add(loss);
                    return true;
                });
        GeneratorTrainer.Result expected = uninterrupted.fit(examples(200, 1), examples(20, 2), ITEMS);
        float[][] expectedWeights = weights(uninterrupted.model());
        float[] expectedRandom = Torch.toFloats(Torch.randn(8));
        assertEquals(STEPS, whole.size());

        // The same run stopped after STOP_AFTER steps; its state is written every 5 steps and at the stop.
        Path state = tmp.resolve("state");
        List<Double> resumed = new ArrayList<>();
        GeneratorTrainer first = new GeneratorTrainer(freshModel(), codec, CONFIG, null)
                .saveStateTo(state, 5)
                .onStep((step, loss) -> {
                    resumed.add(loss);
                    return step < STOP_AFTER;
                });
        GeneratorTrainer.Result stopped = first.fit(examples(200, 1), examples(20, 2), ITEMS);
        assertEquals(STOP_AFTER, stopped.steps());
        try (Stream<Path> files = Files.list(state)) {
            assertEquals(List.of("latest", "step-000000007"), files.map(p -> p.getFileName().toString()).sorted().toList(),
                    "one snapshot and the pointer to it; older snapshots and temporary directories are gone");
        }

        // A fresh process would start with other torch RNG state and other example objects.
        Torch.seed(12345);
        Torch.randn(100);
        GeneratorTrainer second = GeneratorTrainer.resumeFrom(state, codec, CONFIG, null)
                .onStep((step, loss) -> {
                    resumed.add(loss);
                    return true;
                });
        assertNotSame(first.model(), second.model());
        GeneratorTrainer.Result result = second.fit(examples(200, 1), examples(20, 2), ITEMS);

        assertEquals(whole, resumed, "per-step losses");
        assertEquals(expected.steps(), result.steps());
        assertEquals(expected.epochs(), result.epochs());
        assertEquals(expected.bestEpoch(), result.bestEpoch());
        assertEquals(expected.bestValidation(), result.bestValidation());
        assertEquals(expected.lastLoss(), result.lastLoss());
        float[][] resumedWeights = weights(second.model());
        assertEquals(expectedWeights.length, resumedWeights.length);
        for (int i = 0; i < expectedWeights.length; i++) assertArrayEquals(expectedWeights[i], resumedWeights[i], "parameter " + i);
        assertArrayEquals(expectedRandom, Torch.toFloats(Torch.randn(8)), "torch's random stream after training");

        // Resuming a finished run trains no further and ends where it ended.
        List<Double> none = new ArrayList<>();
        GeneratorTrainer finished = GeneratorTrainer.resumeFrom(tmp.resolve("whole"), codec, CONFIG, null).onStep((s, l) -> {
            none.add(l);
            return true;
        });
        GeneratorTrainer.Result again = finished.fit(examples(200, 1), examples(20, 2), ITEMS);
        assertEquals(List.of(), none);
        assertEquals(expected.steps(), again.steps());
        assertEquals(expected.bestValidation(), again.bestValidation());
        float[][] finishedWeights = weights(finished.model());
        for (int i = 0; i < expectedWeights.length; i++) assertArrayEquals(expectedWeights[i], finishedWeights[i], "parameter " + i);
    }

    @Test
    void aMissingCorruptOrMismatchedStateIsRefusedWithTheReason(@TempDir Path tmp) throws IOException {
        Path state = tmp.resolve("state");
        new GeneratorTrainer(freshModel(), codec, CONFIG, null).saveStateTo(state, 2).onStep((s, l) -> s < 3)
                .fit(examples(200, 1), List.of(), ITEMS);

        assertMessage(tmp.resolve("nothing"), CONFIG, codec, "no training state");
        assertMessage(state, CONFIG.withBatchSize(20), codec, "batchSize saved 40, given 20");
        assertMessage(state, CONFIG, TestModels.fittedCodec(ITEMS, 4, 99), "another semantic-ID codec");
        CheckpointException otherData = assertThrows(CheckpointException.class,
                () -> GeneratorTrainer.resumeFrom(state, codec, CONFIG, null).fit(examples(200, 5), List.of(), ITEMS));
        assertTrue(otherData.getMessage().contains("other training data"), otherData.getMessage());

        Path snapshot = state.resolve("step-000000003");
        Path optimizer = snapshot.resolve("optimizer.pt");
        byte[] bytes = Files.readAllBytes(optimizer);
        bytes[bytes.length / 2] ^= 1;
        Files.write(optimizer, bytes);
        assertMessage(state, CONFIG, codec, "'optimizer.pt' is corrupt");

        Files.writeString(snapshot.resolve("state.json"), Files.readString(snapshot.resolve("state.json")).replace("\"step\":3", "\"step\":4"));
        assertMessage(state, CONFIG, codec, "state.json is corrupt");
    }

    /** A state written before the config had finalLearningRateShare trained with the default share, and resumes with it. */
    @Test
    void aStateFromBeforeAConfigComponentExistedIsComparedWithItsDefault() {
        Map<String, Object> old = new LinkedHashMap<>(TrainingState.describe(CONFIG));
        old.remove("finalLearningRateShare");
        JsonConfig saved = JsonConfig.builder().put("c", old).build().getConfig("c");
        TrainingState.requireSameConfig(Path.of("old"), saved, CONFIG);
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> TrainingState.requireSameConfig(Path.of("old"), saved, CONFIG.withFinalLearningRateShare(0)));
        assertTrue(e.getMessage().contains("finalLearningRateShare saved 0.1, given 0.0"), e.getMessage());
    }

    private static void assertMessage(Path dir, GeneratorTrainerConfig config, ResidualCodec codec, String expected) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> GeneratorTrainer.resumeFrom(dir, codec, config, null));
        assertTrue(e.getMessage().contains(expected), "expected '" + expected + "' in: " + e.getMessage());
    }
}

package io.onerec.libtorch.generator;

import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.core.codec.ResidualCodec;
import io.onerec.libtorch.Torch;
import io.onerec.testing.TestModels;
import io.onerec.tools.data.AmazonSequenceReader;
import io.onerec.tools.data.InteractionSequences;
import io.onerec.tools.data.ItemIndex;
import io.onerec.tools.data.LeaveOneOutSplit;
import io.onerec.tools.data.NextItemExample;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link GeneratorTrainer#fitSequences(WindowSource, List, int)} trains from a file and resumes like the in-memory fit. */
class StreamingTrainingTest {
    private static final int ITEMS = 40;
    /** Batches of 16, 3 epochs, validation every epoch, dropout (so a resume must restore torch's random stream). */
    private static final GeneratorTrainerConfig CONFIG = new GeneratorTrainerConfig(3, 16, 3e-3, 0.01, 3, 1.0, 7, 1, 5, 0, 10, 0.0, null, 0.1);

    private final ResidualCodec codec = TestModels.fittedCodec(ITEMS, 4, 21);

    private TorchGeneratorModel freshModel() {
        return TorchGeneratorModel.initialize(TestModels.config(codec, 0, 0, 1).withCausalEncoder(true), 3);
    }

    /** Learnable sequences: each user walks the items in steps of 1 from a random start (ids 1..ITEMS, all used). */
    private static Path writeWalks(Path file, int users) throws IOException {
        Random r = new Random(5);
        try (BufferedWriter w = Files.newBufferedWriter(file)) {
            for (int u = 0; u < users; u++) {
                int start = u < ITEMS ? u : r.nextInt(ITEMS), n = 4 + r.nextInt(10);
                StringBuilder line = new StringBuilder().append(u + 1);
                for (int i = 0; i < n; i++) line.append(' ').append(1 + (start + i) % ITEMS);
                w.write(line.append('\n').toString());
            }
        }
        return file;
    }

    @Test
    void fitFromAFileTrainsEveryBatchOfEveryEpochAndLearns(@TempDir Path tmp) throws IOException {
        Path file = writeWalks(tmp.resolve("walks.txt"), 120);
        InteractionSequences data = AmazonSequenceReader.read(file);
        List<NextItemExample> validation = LeaveOneOutSplit.of(data, 6).validation().subList(0, 20);
        StreamingWindows source = StreamingWindows.open(file, ItemIndex.of(data), freshModel().config().maxHistory(), 32);
        List<Double> losses = new ArrayList<>();
        GeneratorTrainer trainer = new GeneratorTrainer(freshModel(), codec, CONFIG.withMaxEpochs(6), null).onStep((s, l) -> losses.add(l));
        GeneratorTrainer.Result r = trainer.fitSequences(source, validation, ITEMS);
        long perEpoch = (source.windowCount() + 15) / 16;
        assertEquals(6 * perEpoch, r.steps());
        assertEquals(r.steps(), losses.size());
        double first = losses.subList(0, (int) perEpoch).stream().mapToDouble(d -> d).average().orElseThrow();
        double last = losses.subList(losses.size() - (int) perEpoch, losses.size()).stream().mapToDouble(d -> d).average().orElseThrow();
        assertTrue(last < 0.8 * first, "mean loss of the first epoch " + first + ", of the last " + last);
        assertTrue(r.bestValidation() != null && r.bestEpoch() >= 1, "validated: " + r);

        var bidirectional = new GeneratorTrainer(TorchGeneratorModel.initialize(TestModels.config(codec, 0, 0, 1), 3), codec, CONFIG, null);
        assertThrows(IllegalArgumentException.class, () -> bidirectional.fitSequences(source, validation, ITEMS));
    }

    @Test
    void aStoppedStreamedRunResumesIntoTheStepsOfAnUninterruptedOne(@TempDir Path tmp) throws IOException {
        Path file = writeWalks(tmp.resolve("walks.txt"), 60);
        InteractionSequences data = AmazonSequenceReader.read(file);
        List<NextItemExample> validation = LeaveOneOutSplit.of(data, 6).validation().subList(0, 10);
        int maxHistory = freshModel().config().maxHistory();
        StreamingWindows source = StreamingWindows.open(file, ItemIndex.of(data), maxHistory, 16);
        long perEpoch = (source.windowCount() + 15) / 16;
        long stopAfter = perEpoch + 2; // in the middle of epoch 2
        assertTrue(perEpoch > 3, perEpoch + " batches per epoch");

        List<Double> whole = new ArrayList<>();
        GeneratorTrainer uninterrupted = new GeneratorTrainer(freshModel(), codec, CONFIG, null).onStep((s, l) -> whole.add(l));
        GeneratorTrainer.Result expected = uninterrupted.fitSequences(source, validation, ITEMS);
        float[][] expectedWeights = weights(uninterrupted.model());

        Path state = tmp.resolve("state");
        List<Double> resumed = new ArrayList<>();
        new GeneratorTrainer(freshModel(), codec, CONFIG, null).saveStateTo(state, 1000)
                .onStep((s, l) -> resumed.add(l) && s < stopAfter)
                .fitSequences(source, validation, ITEMS);
        assertEquals(stopAfter, resumed.size());

        Torch.seed(12345);
        // A new process: a newly opened source over the same file.
        StreamingWindows reopened = StreamingWindows.open(file, ItemIndex.scan(file), maxHistory, 16);
        GeneratorTrainer second = GeneratorTrainer.resumeFrom(state, codec, CONFIG, null).onStep((s, l) -> resumed.add(l));
        GeneratorTrainer.Result result = second.fitSequences(reopened, validation, ITEMS);
        assertEquals(whole, resumed, "per-step losses");
        assertEquals(expected.steps(), result.steps());
        assertEquals(expected.bestValidation(), result.bestValidation());
        float[][] resumedWeights = weights(second.model());
        for (int i = 0; i < expectedWeights.length; i++) assertArrayEquals(expectedWeights[i], resumedWeights[i], "parameter " + i);

        // Another shuffle buffer is another order, and the in-memory windows are another data layout: both refused.
        StreamingWindows otherBuffer = StreamingWindows.open(file, ItemIndex.scan(file), maxHistory, 17);
        var e = assertThrows(CheckpointException.class,
                () -> GeneratorTrainer.resumeFrom(state, codec, CONFIG, null).fitSequences(otherBuffer, validation, ITEMS));
        assertTrue(e.getMessage().contains("other training data"), e.getMessage());
        List<SequenceExample> inMemory = StreamingWindowsTest.epoch(source, 0, 1);
        assertThrows(CheckpointException.class,
                () -> GeneratorTrainer.resumeFrom(state, codec, CONFIG, null).fitSequences(inMemory, validation, ITEMS));
    }

    private static float[][] weights(TorchGeneratorModel model) {
        return model.parameterList().stream().map(Torch::toFloats).toArray(float[][]::new);
    }
}

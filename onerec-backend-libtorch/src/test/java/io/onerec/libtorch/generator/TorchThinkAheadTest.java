package io.onerec.libtorch.generator;

import io.onerec.api.UserHistory;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.core.codec.ResidualCodec;
import io.onerec.testing.TestModels;
import io.onerec.testing.ThinkAheadScenarios;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** Batched Think-Ahead online decoding on the LibTorch generator (see {@link ThinkAheadScenarios}). */
class TorchThinkAheadTest {
    @TempDir
    Path dir;

    @Test
    void batchedDecodingGivesEveryUserTheSessionsOfDecodingItAlone() {
        ResidualCodec codec = TestModels.fittedCodec(60, 4, 23);
        GeneratorConfig config = TestModels.config(codec, 0, 0, 1);
        List<UserHistory> users = TestModels.users(17, 60, 40, 6);
        try (TorchGenerator generator = TorchGenerator.load(TestModels.writeCheckpoint(dir.resolve("generator"), config, 4), codec)) {
            var store = ThinkAheadScenarios.randomStore(dir.resolve("unused.tsv"), generator, users, 2);
            int compared = ThinkAheadScenarios.assertBatchedEqualsOneByOne(generator, store, users, 5);
            assertTrue(compared > 150, "too few sessions compared: " + compared);
        }
    }
}

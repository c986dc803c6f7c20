package io.onerec.libtorch.generator;

import io.onerec.api.DecodingOptions;
import io.onerec.api.GeneratedSession;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.UserHistory;
import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.testing.CorruptCheckpoints;
import io.onerec.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The LibTorch loader holds checkpoints to exactly the pure-Java backend's rules (the same
 * {@link CorruptCheckpoints} cases): unknown and missing tensors, wrong dtypes, non-finite values and absurd config
 * values all fail with a {@link CheckpointException} naming the file and the tensor or key.
 */
class TorchCheckpointRobustnessTest {
    private static final int[] CODEBOOKS = {4, 4, 3};
    private static final int ITEMS = 30;

    @TempDir
    Path tmp;

    @Test
    void everyPoisonedCheckpointIsRejectedNamingTheProblem() {
        for (CorruptCheckpoints.Case c : CorruptCheckpoints.generatorCases(tmp, CODEBOOKS)) {
            var e = assertThrows(CheckpointException.class, () -> TorchGeneratorModel.load(c.dir()), c.name());
            for (String m : c.mentions()) assertTrue(e.getMessage().contains(m), c.name() + ": '" + e.getMessage() + "' should name " + m);
        }
    }

    @Test
    void randomlyCorruptedCheckpointsLoadCleanlyOrFailWithACheckpointException() {
        SemanticIdCodec codec = TestModels.codec(ITEMS, CODEBOOKS, 42);
        List<Path> variants = CorruptCheckpoints.fuzzed(tmp, CODEBOOKS, Integer.getInteger("onerec.fuzzVariants", 100), Long.getLong("onerec.fuzzSeed", 43));
        int rejected = assertTimeoutPreemptively(Duration.ofSeconds(Integer.getInteger("onerec.fuzzSeconds", 180)),
                () -> CorruptCheckpoints.loadAndServe(variants, dir -> TorchGenerator.load(dir, codec)));
        assertTrue(rejected > variants.size() / 2, "only " + rejected + " of " + variants.size() + " corrupted checkpoints were rejected");
    }

    @Test
    void wideBeamsAreCappedAtTheCatalogAndNullsNamed() {
        SemanticIdCodec codec = TestModels.codec(ITEMS, CODEBOOKS, 44);
        TorchGenerator gen = TorchGenerator.load(TestModels.writeCheckpoint(tmp.resolve("ok"), CorruptCheckpoints.config(CODEBOOKS), 45), codec);
        UserHistory user = new UserHistory(1, new int[]{2, 5});
        List<List<GeneratedSession>> wide = gen.generateBatch(List.of(user, user), DecodingOptions.beams(DecodingOptions.MAX_BEAM_WIDTH));
        assertEquals(ITEMS, wide.get(0).size());
        assertEquals(wide.get(0), wide.get(1));
        assertEquals(gen.generate(user, DecodingOptions.beams(ITEMS)), wide.get(0));
        var e = assertThrows(NullPointerException.class, () -> gen.generate(null, DecodingOptions.beams(2)));
        assertTrue(e.getMessage().contains("user"), e.getMessage());
    }

    @Test
    void everyCallAfterCloseFailsClearlyAndCloseIsIdempotent() {
        SemanticIdCodec codec = TestModels.codec(ITEMS, CODEBOOKS, 46);
        TorchGenerator gen = TorchGenerator.load(TestModels.writeCheckpoint(tmp.resolve("ok"), CorruptCheckpoints.config(CODEBOOKS), 47), codec);
        UserHistory user = new UserHistory(1, new int[]{2, 5});
        assertFalse(gen.generate(user, DecodingOptions.beams(2)).isEmpty());
        gen.close();
        gen.close();
        assertThrows(IllegalStateException.class, () -> gen.generate(user, DecodingOptions.beams(2)));
        assertThrows(IllegalStateException.class, () -> gen.generateBatch(List.of(user, user), DecodingOptions.beams(2)));
    }
}

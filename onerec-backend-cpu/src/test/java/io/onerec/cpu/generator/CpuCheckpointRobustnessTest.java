package io.onerec.cpu.generator;

import io.onerec.api.DecodingOptions;
import io.onerec.api.GeneratedSession;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.UserHistory;
import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.core.vector.KernelProvider;
import io.onerec.testing.CorruptCheckpoints;
import io.onerec.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Poisoned, oversized and randomly corrupted generator checkpoints: the pure-Java loader rejects each with a
 * {@link CheckpointException} naming the file and the tensor or key, never with an OutOfMemoryError, a
 * StackOverflowError, a hang, or a model that serves NaN scores.
 */
class CpuCheckpointRobustnessTest {
    private static final int[] CODEBOOKS = {4, 4, 3};
    private static final int ITEMS = 30;

    @TempDir
    Path tmp;

    @Test
    void everyPoisonedCheckpointIsRejectedNamingTheProblem() {
        SemanticIdCodec codec = TestModels.codec(ITEMS, CODEBOOKS, 31);
        for (CorruptCheckpoints.Case c : CorruptCheckpoints.generatorCases(tmp, CODEBOOKS)) {
            var e = assertThrows(CheckpointException.class, () -> CpuGenerator.load(c.dir(), codec, KernelProvider.get(), 1), c.name());
            for (String m : c.mentions()) assertTrue(e.getMessage().contains(m), c.name() + ": '" + e.getMessage() + "' should name " + m);
        }
    }

    @Test
    void randomlyCorruptedCheckpointsLoadCleanlyOrFailWithACheckpointException() {
        SemanticIdCodec codec = TestModels.codec(ITEMS, CODEBOOKS, 32);
        List<Path> variants = CorruptCheckpoints.fuzzed(tmp, CODEBOOKS, Integer.getInteger("onerec.fuzzVariants", 200), Long.getLong("onerec.fuzzSeed", 33));
        int rejected = assertTimeoutPreemptively(Duration.ofSeconds(Integer.getInteger("onerec.fuzzSeconds", 120)),
                () -> CorruptCheckpoints.loadAndServe(variants, dir -> CpuGenerator.load(dir, codec, KernelProvider.get(), 1)));
        assertTrue(rejected > variants.size() / 2, "only " + rejected + " of " + variants.size() + " corrupted checkpoints were rejected");
    }

    @Test
    void beamWidthIsBoundedAndCappedAtTheCatalog() {
        SemanticIdCodec codec = TestModels.codec(ITEMS, CODEBOOKS, 34);
        Path dir = TestModels.writeCheckpoint(tmp.resolve("ok"), CorruptCheckpoints.config(CODEBOOKS), 35);
        assertThrows(IllegalArgumentException.class, () -> DecodingOptions.beams(DecodingOptions.MAX_BEAM_WIDTH + 1));
        try (CpuGenerator gen = CpuGenerator.load(dir, codec, KernelProvider.get(), 1)) {
            UserHistory user = new UserHistory(1, new int[]{2, 5});
            // A beam wider than the catalog returns every item once, exactly as a beam of the catalog's size does.
            List<GeneratedSession> wide = gen.generate(user, DecodingOptions.beams(DecodingOptions.MAX_BEAM_WIDTH));
            List<GeneratedSession> exact = gen.generate(user, DecodingOptions.beams(ITEMS));
            assertEquals(ITEMS, wide.size());
            assertEquals(exact, wide);
            var e = assertThrows(NullPointerException.class, () -> gen.generateBatch(null, DecodingOptions.beams(2)));
            assertTrue(e.getMessage().contains("users"), e.getMessage());
        }
    }

    @Test
    void everyCallAfterCloseFailsClearlyAndCloseIsIdempotent() throws Exception {
        SemanticIdCodec codec = TestModels.codec(ITEMS, CODEBOOKS, 36);
        Path dir = TestModels.writeCheckpoint(tmp.resolve("ok"), CorruptCheckpoints.config(CODEBOOKS), 37);
        CpuGenerator gen = CpuGenerator.load(dir, codec, KernelProvider.get(), 2);
        UserHistory user = new UserHistory(1, new int[]{2, 5});
        assertFalse(gen.generate(user, DecodingOptions.beams(2)).isEmpty());
        Thread[] closers = new Thread[4];
        for (int i = 0; i < closers.length; i++) closers[i] = Thread.ofPlatform().start(gen::close);
        for (Thread t : closers) t.join();
        gen.close();
        assertThrows(IllegalStateException.class, () -> gen.generate(user, DecodingOptions.beams(2)));
        assertThrows(IllegalStateException.class, () -> gen.generateBatch(List.of(user, user, user, user), DecodingOptions.beams(2)));
    }
}

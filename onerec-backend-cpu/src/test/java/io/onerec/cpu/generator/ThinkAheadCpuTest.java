package io.onerec.cpu.generator;

import io.onerec.api.DecodingOptions;
import io.onerec.api.Reasoner;
import io.onerec.api.ReasoningOptions;
import io.onerec.api.ReasoningPath;
import io.onerec.api.ScoredItem;
import io.onerec.api.SemanticId;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.UserHistory;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.api.thinkahead.FilePrefixStore;
import io.onerec.api.thinkahead.PrefixStore;
import io.onerec.api.thinkahead.StalePrefixesException;
import io.onerec.api.thinkahead.ThinkAheadGenerator;
import io.onerec.api.thinkahead.ThinkAheadJob;
import io.onerec.core.codec.ResidualCodec;
import io.onerec.core.vector.KernelProvider;
import io.onerec.testing.TestModels;
import io.onerec.testing.ThinkAheadScenarios;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.*;

/** Think-Ahead online decoding on the pure-Java generator: batched like one by one, and never against stale prefixes. */
class ThinkAheadCpuTest {
    private static final int ITEMS = 60;
    @TempDir
    Path dir;
    private final ResidualCodec codec = TestModels.fittedCodec(ITEMS, 4, 21);
    private final GeneratorConfig config = TestModels.config(codec, 0, 0, 1);
    private final GeneratorWeights weights = new GeneratorWeights(config, TestModels.randomTensors(config, 3), KernelProvider.get());

    @Test
    void batchedDecodingGivesEveryUserTheSessionsOfDecodingItAlone() {
        List<UserHistory> users = TestModels.users(23, ITEMS, 100, 4);
        // Two threads: the batch is cut into chunks decoded in parallel, each user's filter travelling with it.
        try (CpuGenerator generator = new CpuGenerator(weights, codec, 2)) {
            PrefixStore store = ThinkAheadScenarios.randomStore(dir.resolve("unused.tsv"), generator, users, 8);
            int compared = ThinkAheadScenarios.assertBatchedEqualsOneByOne(generator, store, users, 6);
            assertTrue(compared > 200, "too few sessions compared: " + compared);
        }
    }

    @Test
    void prefixesOfAnotherCodecAreRejectedAtConstructionAndPerRequest() {
        AtomicReference<SemanticIdCodec> catalog = new AtomicReference<>(codec);
        try (CpuGenerator generator = new CpuGenerator(weights, catalog::get, 1)) {
            FilePrefixStore store = FilePrefixStore.open(dir.resolve("prefixes.tsv"));
            store.bindCodec(codec.fingerprint());
            store.put(1, Set.of(codec.sidOf(0).prefix(2)));
            ThinkAheadGenerator online = new ThinkAheadGenerator(generator, store, ThinkAheadGenerator.Missing.FAIL);
            UserHistory user = new UserHistory(1, new int[]{3, 4});
            assertFalse(online.generate(user, DecodingOptions.beams(2)).isEmpty());

            // A catalog update keeps the codebooks: the prefixes still mean the same and are still served.
            Random r = new Random(2);
            float[] fresh = new float[codec.dim()];
            for (int i = 0; i < fresh.length; i++) fresh[i] = (float) r.nextGaussian();
            catalog.set(codec.withNewItems(new float[][]{fresh}));
            assertFalse(online.generate(user, DecodingOptions.beams(2)).isEmpty());

            // A refit codec of the same shape (here: one codebook entry moved) makes the prefixes stale.
            ResidualCodec refit = refitOfSameShape(codec);
            catalog.set(refit);
            var e = assertThrows(StalePrefixesException.class, () -> online.generate(user, DecodingOptions.beams(2)));
            assertTrue(e.getMessage().contains(codec.fingerprint()) && e.getMessage().contains(refit.fingerprint())
                    && e.getMessage().contains("stale"), e.getMessage());
            assertThrows(StalePrefixesException.class, () -> new ThinkAheadGenerator(generator, store, ThinkAheadGenerator.Missing.FAIL));
        }
    }

    @Test
    void offlineJobRecordsItsCodecAndRefusesAStoreOfAnother() {
        Path file = dir.resolve("job.tsv");
        List<UserHistory> users = TestModels.users(4, ITEMS, 0, 1);
        try (FilePrefixStore store = FilePrefixStore.open(file)) {
            new ThinkAheadJob(fixedReasoner(codec), new ReasoningOptions(1, 1, 2, 1)).run(users, store, null);
        }
        FilePrefixStore written = FilePrefixStore.open(file);
        assertEquals(java.util.Optional.of(codec.fingerprint()), written.codecFingerprint());
        assertEquals(users.size(), written.size());
        ResidualCodec refit = refitOfSameShape(codec);
        assertThrows(StalePrefixesException.class,
                () -> new ThinkAheadJob(fixedReasoner(refit), new ReasoningOptions(1, 1, 2, 1)).run(users, written, null));
        assertEquals(java.util.Optional.of(codec.fingerprint()), written.codecFingerprint());
    }

    private static ResidualCodec refitOfSameShape(ResidualCodec c) {
        float[][] books = new float[c.quantizationLevels()][];
        for (int l = 0; l < books.length; l++) books[l] = c.codebook(l);
        books[0][0] += 0.5f;
        return new ResidualCodec(c.dim(), books, c.codebookSizes(), c.hasDisambiguation(), c.method(), c.sidTable());
    }

    /** A reasoner that names the first two codes of the user's last item: enough for the job's bookkeeping. */
    private static Reasoner fixedReasoner(SemanticIdCodec codec) {
        return new Reasoner() {
            @Override
            public List<ReasoningPath> reason(UserHistory user, ReasoningOptions options) {
                SemanticId last = codec.sidOf(user.items()[user.length() - 1]);
                return List.of(new ReasoningPath("", List.of(last.prefix(options.prefixLength())), 0.0));
            }

            @Override
            public List<ScoredItem> recommend(UserHistory user, ReasoningOptions options, int k) {
                throw new UnsupportedOperationException();
            }

            @Override
            public SemanticIdCodec codec() {
                return codec;
            }

            @Override
            public void save(Path dir) {
                throw new UnsupportedOperationException();
            }
        };
    }
}

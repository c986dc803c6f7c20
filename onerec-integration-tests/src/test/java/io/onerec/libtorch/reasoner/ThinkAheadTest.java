package io.onerec.libtorch.reasoner;

import io.onerec.api.ReasoningOptions;
import io.onerec.api.GeneratedSession;
import io.onerec.api.DecodingOptions;
import io.onerec.api.SemanticId;
import io.onerec.api.UserHistory;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.api.reasoner.SidReasoner;
import io.onerec.api.thinkahead.FilePrefixStore;
import io.onerec.api.thinkahead.ThinkAheadGenerator;
import io.onerec.api.thinkahead.ThinkAheadJob;
import io.onerec.libtorch.generator.TorchGeneratorModel;
import io.onerec.libtorch.generator.TorchGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class ThinkAheadTest {
    @TempDir
    Path dir;

    @Test
    void onlineGeneratorReturnsOnlyItemsUnderTheCachedPrefixes() {
        ReasonerFixture f = new ReasonerFixture(16, 5);
        SidReasoner reasoner = new SidReasoner(f.model(5), f.vocab, f.texts, new SidReasoner.Options(1.0, 6));
        List<UserHistory> users = f.users.subList(0, 6);
        Path file = dir.resolve("prefixes.tsv");
        try (FilePrefixStore store = FilePrefixStore.open(file)) {
            double mean = new ThinkAheadJob(reasoner, new ReasoningOptions(2, 1, 2, 3)).run(users, store, null);
            assertTrue(mean >= 1 && mean <= 2, "mean prefix-set size " + mean);
        }
        FilePrefixStore reopened = FilePrefixStore.open(file);
        assertEquals(users.size(), reopened.size());
        Set<SemanticId> all = f.codec.validPrefixes(2);

        GeneratorConfig gc = new GeneratorConfig(16, 2, 32, 1, 1, 0, 0, 6, f.codec.codebookSizes(), 0, 1, 1e-6);
        TorchGenerator generator = new TorchGenerator(TorchGeneratorModel.initialize(gc, 1), f.codec);
        ThinkAheadGenerator online = new ThinkAheadGenerator(generator, reopened, ThinkAheadGenerator.Missing.FAIL);
        boolean restrictionBites = false;
        for (UserHistory u : users) {
            Set<SemanticId> cached = reopened.get(u.userId()).orElseThrow();
            assertTrue(all.containsAll(cached));
            List<GeneratedSession> sessions = online.generate(u, DecodingOptions.beams(8));
            assertFalse(sessions.isEmpty());
            for (GeneratedSession s : sessions) {
                SemanticId sid = f.codec.sidOf(s.firstItem());
                assertTrue(cached.contains(sid.prefix(2)), "item " + s.firstItem() + " " + sid + " outside cached " + cached);
            }
            // Without the cache the same generator does leave these prefixes for some user: the restriction matters.
            for (GeneratedSession s : generator.generate(u, DecodingOptions.beams(8))) {
                if (!cached.contains(f.codec.sidOf(s.firstItem()).prefix(2))) restrictionBites = true;
            }
        }
        assertTrue(restrictionBites);
        assertThrows(NoSuchElementException.class, () -> online.generate(new UserHistory(999, new int[]{1}), DecodingOptions.beams(2)));
        var lenient = new ThinkAheadGenerator(generator, reopened, ThinkAheadGenerator.Missing.UNRESTRICTED);
        assertEquals(2, lenient.generate(new UserHistory(999, new int[]{1}), DecodingOptions.beams(2)).size());
    }
}

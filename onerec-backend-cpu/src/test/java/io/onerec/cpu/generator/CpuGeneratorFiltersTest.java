package io.onerec.cpu.generator;

import io.onerec.api.DecodingOptions;
import io.onerec.api.GeneratedSession;
import io.onerec.api.ItemFilter;
import io.onerec.api.UserHistory;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.core.codec.ResidualCodec;
import io.onerec.core.vector.KernelProvider;
import io.onerec.testing.FilterScenarios;
import io.onerec.testing.FusionScenarios;
import io.onerec.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Request filters on the pure-Java generator (the shared search; see {@link FilterScenarios}). */
class CpuGeneratorFiltersTest {
    private static final int ITEMS = 60;
    private final ResidualCodec codec = TestModels.fittedCodec(ITEMS, 4, 21);
    private final GeneratorConfig config = TestModels.config(codec, 0, 0, 2);
    private final GeneratorWeights weights = new GeneratorWeights(config, TestModels.randomTensors(config, 3), KernelProvider.get());

    @Test
    void filteredRequestsEqualUnfilteredRequestsOverTheAllowedCatalog() {
        int checked = FilterScenarios.assertFiltersPruneExactly(c -> new CpuGenerator(weights, c, 1), codec, 2, 40, 7);
        assertTrue(checked > 40, "too few non-vacuous checks: " + checked);
    }

    @Test
    void fusedPriorReordersByTheFusedScoreAndKeepsTheModelsLogProbabilities() {
        try (CpuGenerator gen = new CpuGenerator(weights, codec, 1)) {
            assertEquals(2 * 4 * ITEMS, FusionScenarios.assertFusedOrderMatchesDefinition(gen, codec, 4, 5));
        }
    }

    @Test
    void aBlocklistOfAlmostTheWholeCatalogStillFillsTheBeamWithTheRest() {
        try (CpuGenerator gen = new CpuGenerator(weights, codec, 2)) {
            Set<Integer> open = Set.of(3, 17, 29, 44, 58);
            int[] blocked = IntStream.range(0, ITEMS).filter(i -> !open.contains(i)).toArray();
            List<UserHistory> users = TestModels.users(5, ITEMS, 0, 9);
            DecodingOptions options = DecodingOptions.beams(5).withFilter(ItemFilter.blocklist(blocked));
            for (List<GeneratedSession> sessions : gen.generateBatch(users, options)) {
                Set<Integer> got = sessions.stream().map(GeneratedSession::firstItem).collect(Collectors.toCollection(TreeSet::new));
                assertEquals(new TreeSet<>(open), got, "beam 5 must return exactly the 5 allowed items");
            }
            // An availability predicate and a category on top: only the open items under the first code of item 44.
            var category = codec.sidOf(44).prefix(1);
            ItemFilter both = ItemFilter.blocklist(blocked).and(ItemFilter.allowedPrefixes(Set.of(category)));
            Set<Integer> expected = open.stream().filter(i -> codec.sidOf(i).startsWith(category)).collect(Collectors.toCollection(TreeSet::new));
            List<GeneratedSession> out = gen.generate(users.getFirst(), DecodingOptions.beams(5).withFilter(both));
            assertEquals(expected, out.stream().map(GeneratedSession::firstItem).collect(Collectors.toCollection(TreeSet::new)));
        }
    }
}

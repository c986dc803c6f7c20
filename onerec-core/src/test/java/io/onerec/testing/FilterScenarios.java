package io.onerec.testing;

import io.onerec.api.DecodingOptions;
import io.onerec.api.GeneratedSession;
import io.onerec.api.Generator;
import io.onerec.api.ItemFilter;
import io.onerec.api.SemanticId;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.UserHistory;
import io.onerec.core.codec.ResidualCodec;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Request filters checked on a real generator, the same way for every backend: a filtered request over the whole
 * catalog must return exactly what an unfiltered request returns over the catalog with every disallowed item
 * retired (same sessions, same order, same scores). That is "no beam slot spent on a filtered item" made exact;
 * along the way, no returned item may be filtered and beam k must return min(k, allowed) items.
 */
public final class FilterScenarios {
    private FilterScenarios() {
    }

    /** A random request filter over the codec's items: blocklists, availability predicates, categories, and their conjunctions. */
    public static ItemFilter randomFilter(Random rnd, SemanticIdCodec codec) {
        int items = codec.itemCount();
        List<SemanticId> firstCodes = List.copyOf(codec.validPrefixes(1));
        List<SemanticId> pairs = List.copyOf(codec.validPrefixes(2));
        List<ItemFilter> parts = new ArrayList<>();
        for (int k = 0, n = 1 + rnd.nextInt(3); k < n; k++) {
            switch (rnd.nextInt(4)) {
                case 0 -> parts.add(ItemFilter.blocklist(rnd.ints(rnd.nextInt(items), 0, items).toArray()));
                case 1 -> parts.add(ItemFilter.allowlist(rnd.ints(1 + rnd.nextInt(items / 2), 0, items).toArray()));
                case 2 -> {
                    int mod = 2 + rnd.nextInt(3), rest = rnd.nextInt(mod);
                    parts.add(ItemFilter.predicate(i -> i % mod != rest));
                }
                default -> {
                    Set<SemanticId> allowed = new HashSet<>();
                    for (int p = 0, np = 1 + rnd.nextInt(3); p < np; p++) {
                        allowed.add(rnd.nextBoolean() ? firstCodes.get(rnd.nextInt(firstCodes.size())) : pairs.get(rnd.nextInt(pairs.size())));
                    }
                    parts.add(ItemFilter.allowedPrefixes(allowed));
                }
            }
        }
        return ItemFilter.allOf(parts.toArray(ItemFilter[]::new));
    }

    /**
     * Random rounds of (filter, Think-Ahead prefixes, history exclusion, beam width, items per session) for random
     * users; each round compares {@code generatorOver.apply(codec)} with the filter against
     * {@code generatorOver.apply(codec with the disallowed items retired)} without it.
     *
     * @param maxItemsPerSession the model's items per session
     * @return how many (round, user) checks had at least one allowed item, so callers can see the rounds were not vacuous
     */
    public static int assertFiltersPruneExactly(Function<SemanticIdCodec, Generator> generatorOver, ResidualCodec codec,
                                                int maxItemsPerSession, int rounds, long seed) {
        Random rnd = new Random(seed);
        Generator full = generatorOver.apply(codec);
        List<SemanticId> pairs = List.copyOf(codec.validPrefixes(2));
        int nonEmpty = 0;
        for (int round = 0; round < rounds; round++) {
            ItemFilter filter = randomFilter(rnd, codec);
            Set<SemanticId> thinkAhead = new HashSet<>();
            if (rnd.nextInt(3) == 0) {
                for (int p = 0, n = 1 + rnd.nextInt(6); p < n; p++) thinkAhead.add(pairs.get(rnd.nextInt(pairs.size())));
            }
            boolean excludeHistory = rnd.nextBoolean();
            DecodingOptions options = new DecodingOptions(1 + rnd.nextInt(8), 1 + rnd.nextInt(maxItemsPerSession), thinkAhead,
                    excludeHistory, filter);
            for (UserHistory user : TestModels.users(2, codec.itemCount(), 100 * round, seed + round)) {
                ItemFilter allowed = options.requestFilter().and(excludeHistory ? ItemFilter.blocklist(user.items()) : ItemFilter.none());
                int[] disallowed = java.util.stream.IntStream.range(0, codec.itemCount())
                        .filter(i -> !allowed.allows(i, codec.sidOf(i))).toArray();
                int allowedCount = codec.itemCount() - disallowed.length;
                Generator restricted = generatorOver.apply(codec.withRetired(disallowed));
                List<GeneratedSession> expected = restricted.generate(user,
                        new DecodingOptions(options.beamWidth(), options.itemsPerSession(), Set.of(), false));
                List<GeneratedSession> actual = full.generate(user, options);
                String where = "round " + round + ", user " + user.userId() + ", " + options;
                assertEquals(expected.size(), actual.size(), where);
                for (int j = 0; j < actual.size(); j++) {
                    assertEquals(Arrays.toString(expected.get(j).items()), Arrays.toString(actual.get(j).items()), where + ", rank " + j);
                    assertEquals(expected.get(j).logProb(), actual.get(j).logProb(), 1e-5, where + ", rank " + j);
                    for (int item : actual.get(j).items()) {
                        assertTrue(allowed.allows(item, codec.sidOf(item)), where + ": filtered item " + item + " returned");
                    }
                }
                if (options.itemsPerSession() == 1) {
                    assertEquals(Math.min(options.beamWidth(), allowedCount), actual.size(), "beam slots wasted: " + where);
                }
                if (allowedCount > 0) nonEmpty++;
                restricted.close();
            }
        }
        full.close();
        return nonEmpty;
    }
}

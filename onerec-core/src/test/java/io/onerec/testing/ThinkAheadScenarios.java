package io.onerec.testing;

import io.onerec.api.DecodingOptions;
import io.onerec.api.GeneratedSession;
import io.onerec.api.Generator;
import io.onerec.api.ItemFilter;
import io.onerec.api.SemanticId;
import io.onerec.api.UserHistory;
import io.onerec.api.thinkahead.FilePrefixStore;
import io.onerec.api.thinkahead.PrefixStore;
import io.onerec.api.thinkahead.ThinkAheadGenerator;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Batched Think-Ahead decoding checked on a real generator, the same way for every backend: a batch of users, each
 * under its own stored prefixes (some users uncovered), must give every user exactly the sessions of decoding that
 * user alone under {@link DecodingOptions#withAllowedPrefixes} (same items, same order, scores within float noise).
 */
public final class ThinkAheadScenarios {
    private ThinkAheadScenarios() {
    }

    /**
     * A store (in memory; {@code file} is never written) bound to the generator's codec, with 1 to 4 random valid
     * (c1, c2) prefixes for every user except every fifth.
     */
    public static PrefixStore randomStore(Path file, Generator generator, List<UserHistory> users, long seed) {
        Random rnd = new Random(seed);
        List<SemanticId> pairs = new ArrayList<>(generator.codec().validPrefixes(2));
        PrefixStore store = FilePrefixStore.open(file);
        store.bindCodec(generator.codec().fingerprint());
        for (int i = 0; i < users.size(); i++) {
            if (i % 5 == 4) continue;
            Collections.shuffle(pairs, rnd);
            store.put(users.get(i).userId(), new LinkedHashSet<>(pairs.subList(0, 1 + rnd.nextInt(Math.min(4, pairs.size())))));
        }
        return store;
    }

    /**
     * Compares batched with one-user-at-a-time decoding over {@code users} with plain, history-excluding and
     * filtered options; returns how many sessions were compared.
     */
    public static int assertBatchedEqualsOneByOne(Generator generator, PrefixStore store, List<UserHistory> users, int beamWidth) {
        ThinkAheadGenerator online = new ThinkAheadGenerator(generator, store, ThinkAheadGenerator.Missing.UNRESTRICTED);
        List<DecodingOptions> variants = List.of(DecodingOptions.beams(beamWidth), DecodingOptions.beams(beamWidth).withExcludeHistory(true),
                DecodingOptions.beams(beamWidth).withFilter(ItemFilter.predicate(i -> i % 3 != 1)));
        int compared = 0;
        boolean restricted = false;
        for (DecodingOptions options : variants) {
            List<List<GeneratedSession>> batched = online.generateBatch(users, options);
            assertEquals(users.size(), batched.size());
            for (int u = 0; u < users.size(); u++) {
                UserHistory user = users.get(u);
                Optional<Set<SemanticId>> prefixes = store.get(user.userId());
                List<GeneratedSession> alone = generator.generate(user, prefixes.map(options::withAllowedPrefixes).orElse(options));
                List<GeneratedSession> got = batched.get(u);
                String where = "user " + user.userId() + " under " + prefixes.orElse(Set.of()) + " with " + options;
                assertEquals(alone.size(), got.size(), where);
                for (int j = 0; j < alone.size(); j++) {
                    assertEquals(Arrays.toString(alone.get(j).items()), Arrays.toString(got.get(j).items()), where + ", rank " + j);
                    assertEquals(alone.get(j).logProb(), got.get(j).logProb(), 1e-5, where + ", rank " + j);
                    if (prefixes.isPresent()) {
                        SemanticId first = generator.codec().sidOf(got.get(j).firstItem()).prefix(2);
                        assertTrue(prefixes.get().contains(first), where + ": item " + got.get(j).firstItem() + " outside the prefixes");
                    }
                    compared++;
                }
                // Not vacuous: without the prefixes, the same user gets some item outside them.
                if (prefixes.isPresent()) {
                    for (GeneratedSession s : generator.generate(user, options)) {
                        restricted |= !prefixes.get().contains(generator.codec().sidOf(s.firstItem()).prefix(2));
                    }
                }
            }
        }
        assertTrue(restricted, "the stored prefixes never restricted anything: the scenario tests nothing");
        return compared;
    }
}

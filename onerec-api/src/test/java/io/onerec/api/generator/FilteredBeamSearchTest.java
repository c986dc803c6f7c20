package io.onerec.api.generator;

import io.onerec.api.DecodingOptions;
import io.onerec.api.GeneratedSession;
import io.onerec.api.ItemFilter;
import io.onerec.api.SemanticId;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.UserHistory;
import io.onerec.api.sid.PrefixTrie;
import io.onerec.api.sid.TrieMasksTest;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.IntPredicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Request filters inside the search: a filtered search over the whole catalog must make exactly the choices of an
 * unfiltered search over a trie holding only the allowed items (same items, same scores, same order), which is the
 * precise meaning of "no beam slot is spent on a filtered item"; with an exhaustive beam both equal brute force.
 */
class FilteredBeamSearchTest {
    private static final int[] SIZES = {4, 5, 3};
    private final GeneratorConfig config = new GeneratorConfig(8, 1, 8, 1, 1, 0, 0, 4, SIZES, 0, 2, 1e-6);

    /** A codec over fixed SIDs whose trie holds only the items {@code inTrie} accepts (item ids stay the same). */
    record TrieCodec(SemanticId[] sids, PrefixTrie trie) implements SemanticIdCodec {
        TrieCodec(SemanticId[] sids, IntPredicate inTrie) {
            this(sids, PrefixTrie.build(sids, inTrie));
        }

        public int levels() { return 3; }
        public int quantizationLevels() { return 3; }
        public int[] codebookSizes() { return SIZES.clone(); }
        public int itemCount() { return sids.length; }
        public SemanticId sidOf(int item) { return sids[item]; }
        public int itemOf(SemanticId sid) { int n = trie.find(sid); return n < 0 ? -1 : trie.itemAt(n); }
        public int[] itemsWithPrefix(SemanticId prefix) { throw new UnsupportedOperationException(); }
        public SemanticId encode(float[] embedding) { throw new UnsupportedOperationException(); }
        public void save(Path dir) { throw new UnsupportedOperationException(); }
    }

    /** Log-probability of a code given the level, the previous code and the user: a fixed pseudo-random table. */
    static double logp(long user, int level, int prev, int code) {
        long h = user * 0x9E3779B97F4A7C15L + level * 0xBF58476D1CE4E5B9L + prev * 0x94D049BB133111EBL + code * 0x2545F4914F6CDD1DL;
        h ^= h >>> 31;
        h *= 0x9E3779B97F4A7C15L;
        return -((h >>> 40) % 1000) / 250.0; // coarse grid: ties occur and must be broken identically
    }

    static double itemScore(long user, SemanticId sid) {
        double s = 0;
        int prev = 0;
        for (int l = 0; l < sid.length(); l++) {
            s += (float) logp(user, l, prev, sid.code(l));
            prev = sid.code(l);
        }
        return s;
    }

    /** Log-probs from each slot's last fed code; the user's id changes the table. */
    final class TableDecoder implements StepDecoder {
        @Override
        public Session start(List<UserHistory> users, int beamWidth) {
            int n = users.size() * beamWidth;
            return new Session() {
                @Override
                public float[] step(int[] tokens, int[] parents, int level) {
                    if (level < 0) return null;
                    int k = SIZES[level];
                    float[] out = new float[n * k];
                    for (int s = 0; s < n; s++) {
                        int prev = ConstrainedBeamSearchTest.previousCode(config, tokens[s]);
                        long user = users.get(s / beamWidth).userId();
                        for (int c = 0; c < k; c++) out[s * k + c] = (float) logp(user, level, prev, c);
                    }
                    return out;
                }

                @Override
                public void close() {
                }
            };
        }
    }

    private List<List<GeneratedSession>> search(SemanticIdCodec codec, List<UserHistory> users, DecodingOptions o) {
        return new ConstrainedBeamSearch(config, codec).search(new TableDecoder(), users, o);
    }

    @Test
    void filteredSearchEqualsUnfilteredSearchOverTheAllowedItems() {
        Random rnd = new Random(5);
        int nonEmpty = 0;
        for (int round = 0; round < 200; round++) {
            int items = 2 + rnd.nextInt(40);
            SemanticId[] sids = TrieMasksTest.randomSids(rnd, items);
            TrieCodec full = new TrieCodec(sids, i -> true);
            ItemFilter filter = TrieMasksTest.randomFilter(rnd, items);
            boolean excludeHistory = rnd.nextBoolean();
            Set<SemanticId> thinkAhead = new HashSet<>();
            if (rnd.nextInt(3) == 0) {
                for (int p = 0, n = 1 + rnd.nextInt(5); p < n; p++) thinkAhead.add(SemanticId.of(rnd.nextInt(4), rnd.nextInt(5)));
            }
            List<UserHistory> users = new ArrayList<>();
            for (int u = 0, n = 1 + rnd.nextInt(3); u < n; u++) {
                users.add(new UserHistory(round * 10 + u, rnd.ints(1 + rnd.nextInt(4), 0, items).toArray()));
            }
            DecodingOptions o = new DecodingOptions(1 + rnd.nextInt(6), 1 + rnd.nextInt(2), thinkAhead, excludeHistory, filter);
            List<List<GeneratedSession>> filtered = search(full, users, o);
            for (int u = 0; u < users.size(); u++) {
                UserHistory user = users.get(u);
                ItemFilter allowed = o.requestFilter().and(excludeHistory ? ItemFilter.blocklist(user.items()) : ItemFilter.none());
                TrieCodec restricted = new TrieCodec(sids, i -> allowed.allows(i, sids[i]));
                DecodingOptions plain = new DecodingOptions(o.beamWidth(), o.itemsPerSession(), Set.of(), false);
                List<GeneratedSession> expected = search(restricted, List.of(user), plain).getFirst();
                List<GeneratedSession> actual = filtered.get(u);
                String where = "round " + round + ", user " + u + ", " + o;
                assertEquals(expected.size(), actual.size(), where);
                for (int j = 0; j < expected.size(); j++) {
                    assertEquals(Arrays.toString(expected.get(j).items()), Arrays.toString(actual.get(j).items()), where + ", rank " + j);
                    assertEquals(expected.get(j).logProb(), actual.get(j).logProb(), 1e-9, where);
                    for (int item : actual.get(j).items()) assertTrue(allowed.allows(item, sids[item]), where + ": filtered item " + item);
                }
                int allowedCount = restricted.trie().size();
                if (o.itemsPerSession() == 1) {
                    assertEquals(Math.min(o.beamWidth(), allowedCount), actual.size(), "beam slots wasted: " + where);
                }
                if (allowedCount > 0) nonEmpty++;
            }
        }
        assertTrue(nonEmpty > 100, "too few rounds with allowed items: " + nonEmpty);
    }

    @Test
    void exhaustiveFilteredBeamIsBruteForceOverTheAllowedItems() {
        Random rnd = new Random(9);
        SemanticId[] sids = TrieMasksTest.randomSids(rnd, 50);
        Set<SemanticId> categories = Set.of(SemanticId.of(1), SemanticId.of(3, 2));
        ItemFilter filter = ItemFilter.blocklist(0, 1, 2, 3, 4, 5, 6, 7, 8, 9)
                .and(ItemFilter.predicate(i -> i % 3 != 0))
                .and(ItemFilter.allowedPrefixes(categories));
        UserHistory user = new UserHistory(77, new int[]{10, 11});
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < sids.length; i++) {
            if (filter.allows(i, sids[i]) && i != 10 && i != 11) expected.add(i);
        }
        expected.sort(Comparator.comparingDouble((Integer i) -> -itemScore(77, sids[i])).thenComparing(i -> sids[i]));
        assertTrue(expected.size() >= 3, "fixture too small: " + expected);
        List<GeneratedSession> out = search(new TrieCodec(sids, i -> true), List.of(user),
                DecodingOptions.beams(sids.length).withExcludeHistory(true).withFilter(filter)).getFirst();
        assertEquals(expected.size(), out.size());
        for (int r = 0; r < out.size(); r++) {
            assertEquals(expected.get(r), out.get(r).firstItem(), "rank " + r);
            assertEquals(itemScore(77, sids[expected.get(r)]), out.get(r).logProb(), 1e-9);
        }
    }

    @Test
    void beamOfOneFindsTheOnlyAllowedItemBehindTheBestPrefix() {
        // Item 0 sits under the best first code; everything else is blocked, so a post-filter would return nothing.
        SemanticId[] sids = TrieMasksTest.randomSids(new Random(3), 40);
        TrieCodec codec = new TrieCodec(sids, i -> true);
        UserHistory user = new UserHistory(5, new int[]{1});
        for (int keep = 0; keep < sids.length; keep++) {
            int only = keep;
            List<GeneratedSession> out = search(codec, List.of(user), DecodingOptions.beams(1).withFilter(ItemFilter.predicate(i -> i == only))).getFirst();
            assertEquals(1, out.size());
            assertEquals(only, out.getFirst().firstItem());
        }
        List<GeneratedSession> none = search(codec, List.of(user), DecodingOptions.beams(4).withFilter(ItemFilter.allowlist(1))
                .withExcludeHistory(true)).getFirst();
        assertFalse(none.iterator().hasNext(), "the only allowed item is in the history");
    }
}

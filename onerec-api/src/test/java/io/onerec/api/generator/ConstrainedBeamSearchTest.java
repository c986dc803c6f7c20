package io.onerec.api.generator;

import io.onerec.api.GeneratedSession;
import io.onerec.api.DecodingOptions;
import io.onerec.api.SemanticId;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.UserHistory;
import io.onerec.api.sid.PrefixTrie;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The search alone, over a fake decoder whose log-probabilities depend only on (level, code) and the previous
 * code, so every item's total score can be computed by hand and compared with exhaustive enumeration.
 */
class ConstrainedBeamSearchTest {
    private static final int[] SIZES = {3, 4, 2};

    /** 3 x 4 x 2 codes; a sparse catalog of 13 SIDs. */
    private static final int[][] SIDS = {
            {0, 0, 0}, {0, 0, 1}, {0, 1, 0}, {0, 3, 1}, {1, 0, 0}, {1, 1, 1}, {1, 2, 0},
            {1, 2, 1}, {2, 0, 0}, {2, 1, 0}, {2, 2, 1}, {2, 3, 0}, {2, 3, 1}};

    static double logp(int level, int prev, int code) {
        // Deterministic, uneven, with exact ties between codes 0 and 1 at level 2.
        return level == 2 ? -0.5 : -0.1 * ((code * 7 + prev * 3 + level) % 5) - 0.05 * code;
    }

    static double itemScore(int[] sid) {
        double s = 0;
        int prev = 0;
        for (int l = 0; l < sid.length; l++) {
            s += logp(l, prev, sid[l]);
            prev = sid[l];
        }
        return s;
    }

    static final class FakeCodec implements SemanticIdCodec {
        final SemanticId[] sids = Arrays.stream(SIDS).map(SemanticId::of).toArray(SemanticId[]::new);
        final PrefixTrie trie = PrefixTrie.build(sids);

        public int levels() { return 3; }
        public int quantizationLevels() { return 3; }
        public int[] codebookSizes() { return SIZES.clone(); }
        public int itemCount() { return sids.length; }
        public SemanticId sidOf(int item) { return sids[item]; }
        public int itemOf(SemanticId sid) { return trie.itemAt(Math.max(0, trie.find(sid))); }
        public int[] itemsWithPrefix(SemanticId prefix) { throw new UnsupportedOperationException(); }
        public SemanticId encode(float[] embedding) { throw new UnsupportedOperationException(); }
        public PrefixTrie trie() { return trie; }
        public void save(Path dir) { throw new UnsupportedOperationException(); }
    }

    /** Log-probs from the last fed token of each slot; tracks tokens to check cache reordering semantics. */
    static final class FakeDecoder implements StepDecoder {
        final GeneratorConfig config;
        int steps;

        FakeDecoder(GeneratorConfig config) {
            this.config = config;
        }

        @Override
        public Session start(List<UserHistory> users, int beamWidth) {
            int n = users.size() * beamWidth;
            int[] last = new int[n];
            return new Session() {
                @Override
                public float[] step(int[] tokens, int[] parents, int level) {
                    steps++;
                    int[] prev = new int[n];
                    for (int s = 0; s < n; s++) prev[s] = previousCode(config, tokens[s]);
                    System.arraycopy(prev, 0, last, 0, n);
                    if (level < 0) return null;
                    int k = SIZES[level];
                    float[] out = new float[n * k];
                    for (int s = 0; s < n; s++) for (int c = 0; c < k; c++) out[s * k + c] = (float) logp(level, last[s], c);
                    return out;
                }

                @Override
                public void close() {
                }
            };
        }

    }

    /** The code a fed token stands for (0 for BOS and PAD), so fake decoders can condition on the previous code. */
    static int previousCode(GeneratorConfig config, int token) {
        if (token == GeneratorConfig.BOS || token == GeneratorConfig.PAD) return 0;
        for (int l = config.codeLevels() - 1; l >= 0; l--) {
            if (token >= config.codeTokenOffset(l)) return token - config.codeTokenOffset(l);
        }
        throw new IllegalStateException("token " + token + " is not a code");
    }

    private final FakeCodec codec = new FakeCodec();
    private final GeneratorConfig config = new GeneratorConfig(8, 1, 8, 1, 1, 0, 0, 4, SIZES, 0, 2, 1e-6);
    private final ConstrainedBeamSearch search = new ConstrainedBeamSearch(config, codec);
    private final UserHistory user = new UserHistory(1, new int[]{0, 5});

    @Test
    void exhaustiveBeamReturnsEveryItemInScoreOrderWithStableTies() {
        List<GeneratedSession> out = search.search(new FakeDecoder(config), List.of(user), DecodingOptions.beams(SIDS.length)).getFirst();
        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < SIDS.length; i++) expected.add(i);
        // Ties: equal scores keep SID order (lower parent beam, then lower code).
        expected.sort(Comparator.comparingDouble((Integer i) -> -itemScore(SIDS[i])).thenComparing(i -> codec.sids[i]));
        assertEquals(SIDS.length, out.size());
        for (int i = 0; i < out.size(); i++) {
            assertEquals(expected.get(i), out.get(i).firstItem(), "rank " + i);
            assertEquals(itemScore(SIDS[expected.get(i)]), out.get(i).logProb(), 1e-6);
        }
    }

    @Test
    void narrowBeamKeepsValidItemsAndRespectsPrefixesAndHistory() {
        Set<SemanticId> allowed = Set.of(SemanticId.of(1, 2), SemanticId.of(2, 3), SemanticId.of(0, 0));
        List<GeneratedSession> out = search.search(new FakeDecoder(config), List.of(user),
                DecodingOptions.beams(3).withAllowedPrefixes(allowed).withExcludeHistory(true)).getFirst();
        assertFalse(out.isEmpty());
        for (GeneratedSession s : out) {
            assertTrue(allowed.contains(codec.sidOf(s.firstItem()).prefix(2)));
            assertNotEquals(0, s.firstItem(), "history item 0 excluded");
        }
    }

    @Test
    void sessionsNeverRepeatAnItemAndFeedTheLastCodeBeforeTheNextBos() {
        FakeDecoder decoder = new FakeDecoder(config);
        List<GeneratedSession> out = search.search(decoder, List.of(user, new UserHistory(2, new int[]{3})),
                DecodingOptions.beams(4).withItemsPerSession(2)).getFirst();
        assertEquals(4, out.size());
        Set<String> seen = new HashSet<>();
        for (GeneratedSession s : out) {
            assertNotEquals(s.items()[0], s.items()[1]);
            assertTrue(seen.add(Arrays.toString(s.items())), "duplicate session");
            assertEquals(itemScore(SIDS[s.items()[0]]) + itemScore(SIDS[s.items()[1]]), s.logProb(), 1e-6);
        }
        // 3 code steps per item, plus one extra step between items.
        assertEquals(3 + 1 + 3, decoder.steps);
    }

    @Test
    void rejectsBadRequests() {
        assertThrows(IllegalArgumentException.class,
                () -> search.search(new FakeDecoder(config), List.of(new UserHistory(1, new int[]{99})), DecodingOptions.beams(2)));
        assertThrows(IllegalArgumentException.class,
                () -> search.search(new FakeDecoder(config), List.of(user), DecodingOptions.beams(2).withItemsPerSession(3)));
        GeneratorConfig other = new GeneratorConfig(8, 1, 8, 1, 1, 0, 0, 4, new int[]{3, 4, 3}, 0, 1, 1e-6);
        assertThrows(IllegalArgumentException.class, () -> new ConstrainedBeamSearch(other, codec));
    }
}

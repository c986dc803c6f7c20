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

    /** The fake decoder's log-probability of a code renormalised over the trie children of the node it extends. */
    private double trieLogp(int node, int level, int prev, int code) {
        PrefixTrie trie = codec.trie;
        double norm = 0;
        for (int c = 0; c < trie.childCount(node); c++) norm += Math.exp(logp(level, prev, trie.childCode(node, c)));
        return logp(level, prev, code) - Math.log(norm);
    }

    private double trieItemScore(int[] sid) {
        double s = 0;
        int prev = 0, node = codec.trie.root();
        for (int l = 0; l < sid.length; l++) {
            s += trieLogp(node, l, prev, sid[l]);
            node = codec.trie.child(node, sid[l]);
            prev = sid[l];
        }
        return s;
    }

    @Test
    void exhaustiveBeamUnderTrieSoftmaxEqualsBruteForceOverTrieNormalisedScores() {
        DecodingOptions trie = DecodingOptions.beams(SIDS.length).withCodeSoftmax(DecodingOptions.CodeSoftmax.TRIE);
        List<GeneratedSession> out = search.search(new FakeDecoder(config), List.of(user), trie).getFirst();
        assertEquals(SIDS.length, out.size());
        Integer[] order = new Integer[SIDS.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, Comparator.comparingDouble((Integer i) -> -trieItemScore(SIDS[i])).thenComparing(i -> codec.sids[i]));
        double total = 0;
        for (int i = 0; i < out.size(); i++) {
            assertEquals(trieItemScore(SIDS[out.get(i).firstItem()]), out.get(i).logProb(), 1e-5, "score of rank " + i);
            assertEquals(trieItemScore(SIDS[order[i]]), out.get(i).logProb(), 1e-5, "rank " + i + " has the brute-force score");
            total += Math.exp(out.get(i).logProb());
        }
        // Normalised at every trie node, the item probabilities of the whole catalog sum to one.
        assertEquals(1.0, total, 1e-5);
    }

    @Test
    void trieSoftmaxKeepsFiltersAndSessionsOnTopOfItsNormaliser() {
        Set<SemanticId> allowed = Set.of(SemanticId.of(1, 2), SemanticId.of(2, 3), SemanticId.of(0, 0));
        DecodingOptions o = DecodingOptions.beams(SIDS.length).withAllowedPrefixes(allowed).withExcludeHistory(true)
                .withCodeSoftmax(DecodingOptions.CodeSoftmax.TRIE);
        List<GeneratedSession> out = search.search(new FakeDecoder(config), List.of(user), o).getFirst();
        // Items 1 (prefix 0,0), 6, 7 (prefix 1,2), 11, 12 (prefix 2,3); item 0 is in the history.
        assertEquals(Set.of(1, 6, 7, 11, 12), new HashSet<>(out.stream().map(GeneratedSession::firstItem).toList()));
        for (GeneratedSession s : out) {
            // The filters drop siblings, not probability mass: the score is still normalised over all trie children.
            assertEquals(trieItemScore(SIDS[s.firstItem()]), s.logProb(), 1e-5);
        }
        List<GeneratedSession> sessions = search.search(new FakeDecoder(config), List.of(user),
                DecodingOptions.beams(4).withItemsPerSession(2).withCodeSoftmax(DecodingOptions.CodeSoftmax.TRIE)).getFirst();
        assertEquals(4, sessions.size());
        for (GeneratedSession s : sessions) {
            assertNotEquals(s.items()[0], s.items()[1]);
            assertEquals(trieItemScore(SIDS[s.items()[0]]) + trieItemScore(SIDS[s.items()[1]]), s.logProb(), 1e-5);
        }
    }

    @Test
    void sparseStepRejectsCodesOutsideTheCodebookAndMalformedLists() {
        FakeDecoder decoder = new FakeDecoder(config);
        try (StepDecoder.Session session = decoder.start(List.of(user), 2)) {
            int[] tokens = {GeneratorConfig.BOS, GeneratorConfig.BOS}, parents = {0, 1};
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> session.stepSparse(tokens, parents, 0, new int[]{0, 2, 2}, new int[]{1, 3}));
            assertTrue(e.getMessage().contains("code 3"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class,
                    () -> session.stepSparse(tokens, parents, 0, new int[]{0, 2, 2}, new int[]{2, 1}));
            assertTrue(e.getMessage().contains("ascending"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> session.stepSparse(tokens, parents, 0, new int[]{0, 2}, new int[]{0, 1}));
            assertThrows(IllegalArgumentException.class, () -> session.stepSparse(tokens, parents, 0, new int[]{0, 3, 2}, new int[]{0, 1, 2}));
            assertThrows(IllegalArgumentException.class, () -> session.stepSparse(tokens, parents, 0, new int[]{0, 1, 4}, new int[]{0, 1}));
            assertThrows(IllegalArgumentException.class, () -> session.stepSparse(tokens, parents, -1, new int[]{0, 0, 0}, new int[0]));
            // A valid call: slot 0 lists codes 0 and 2, slot 1 none; the two renormalised values sum to 1.
            float[] lp = session.stepSparse(tokens, parents, 0, new int[]{0, 2, 2}, new int[]{0, 2});
            assertEquals(1.0, Math.exp(lp[0]) + Math.exp(lp[1]), 1e-6);
            assertEquals(logp(0, 0, 0) - logp(0, 0, 2), lp[0] - lp[1], 1e-6);
        }
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

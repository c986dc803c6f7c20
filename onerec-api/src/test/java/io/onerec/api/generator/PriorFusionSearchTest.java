package io.onerec.api.generator;

import io.onerec.api.DecodingOptions;
import io.onerec.api.GeneratedSession;
import io.onerec.api.ItemPrior;
import io.onerec.api.PriorFusion;
import io.onerec.api.UserHistory;
import io.onerec.api.generator.ConstrainedBeamSearchTest.FakeCodec;
import io.onerec.api.generator.ConstrainedBeamSearchTest.FakeDecoder;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import static io.onerec.api.generator.ConstrainedBeamSearchTest.itemScore;
import static org.junit.jupiter.api.Assertions.*;

/**
 * Shallow fusion of an item prior into the constrained search, against the definition in {@link PriorFusion}: with a
 * beam as wide as the catalog the search must rank every item by
 * {@code log p_generator(item) + weight * log q(item)}, computed here directly from the prior, and still report the
 * generator's own log-probability.
 */
class PriorFusionSearchTest {
    private final FakeCodec codec = new FakeCodec();
    private final GeneratorConfig config = new GeneratorConfig(8, 1, 8, 1, 1, 0, 0, 4, new int[]{3, 4, 2}, 0, 2, 1e-6);
    private final ConstrainedBeamSearch search = new ConstrainedBeamSearch(config, codec);
    private final UserHistory user = new UserHistory(1, new int[]{0, 5});

    /** Evidence for a few items (one of them unknown to the trie, which must carry no mass) and an uneven background. */
    private final ItemPrior prior = new ItemPrior() {
        @Override
        public Evidence evidence(UserHistory history) {
            return new Evidence(new int[]{12, 3, 7, 999}, new double[]{5.0, 1.0, 2.0, 100.0});
        }

        @Override
        public double background(int item) {
            return 1 + item % 4;
        }
    };

    private double logQ(int item, double share) {
        Map<Integer, Double> ev = Map.of(12, 5.0, 3, 1.0, 7, 2.0); // item 999 is not in the trie: no mass
        double evTotal = 8.0, bgTotal = 0;
        for (int i = 0; i < codec.itemCount(); i++) bgTotal += 1 + i % 4;
        return Math.log(share * (1 + item % 4) / bgTotal + (1 - share) * ev.getOrDefault(item, 0.0) / evTotal);
    }

    @Test
    void exhaustiveFusedSearchRanksByGeneratorPlusWeightedPriorLogProbability() {
        for (double weight : new double[]{0.5, 1.0, 3.0}) {
            double share = 0.2;
            DecodingOptions options = DecodingOptions.beams(codec.itemCount()).withFusion(new PriorFusion(prior, weight, share));
            List<GeneratedSession> out = search.search(new FakeDecoder(config), List.of(user), options).getFirst();
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < codec.itemCount(); i++) expected.add(i);
            expected.sort(Comparator.comparingDouble(i -> -(itemScore(codec.sids[i].codes()) + weight * logQ(i, share))));
            assertEquals(codec.itemCount(), out.size());
            for (int r = 0; r < out.size(); r++) {
                assertEquals(expected.get(r), out.get(r).firstItem(), "weight " + weight + ", rank " + r);
                // The session keeps the generator's log-probability, not the fused score.
                assertEquals(itemScore(codec.sids[expected.get(r)].codes()), out.get(r).logProb(), 1e-6);
            }
        }
    }

    /**
     * Product of experts: each code's score is log-softmax over the prefix's trie children of
     * (generator log-prob + weight * log q(code | prefix)); computed here level by level from the fake decoder's
     * log-probabilities and the prior's masses.
     */
    @Test
    void exhaustiveProductOfExpertsRanksByThePerPrefixNormalisedProduct() {
        double weight = 1.5, share = 0.2;
        DecodingOptions options = DecodingOptions.beams(codec.itemCount())
                .withFusion(new PriorFusion(prior, weight, share).asProductOfExperts());
        List<GeneratedSession> out = search.search(new FakeDecoder(config), List.of(user), options).getFirst();
        double[] expected = new double[codec.itemCount()];
        for (int i = 0; i < codec.itemCount(); i++) {
            int[] sid = codec.sids[i].codes();
            double total = 0;
            for (int l = 0; l < sid.length; l++) {
                // Children of the prefix sid[0..l): codes c such that some item continues it with c.
                double norm = 0, mine = 0;
                for (int c = 0; c < 4; c++) {
                    double mass = prefixMass(sid, l, c, share);
                    if (mass == 0) continue;
                    double v = ConstrainedBeamSearchTest.logp(l, l == 0 ? 0 : sid[l - 1], c) + weight * Math.log(mass / prefixMass(sid, l, -1, share));
                    norm += Math.exp(v);
                    if (c == sid[l]) mine = v;
                }
                total += mine - Math.log(norm);
            }
            expected[i] = total;
        }
        assertEquals(codec.itemCount(), out.size());
        for (int r = 1; r < out.size(); r++) {
            assertTrue(expected[out.get(r - 1).firstItem()] >= expected[out.get(r).firstItem()] - 1e-9, "rank " + r);
        }
        for (GeneratedSession s : out) assertEquals(itemScore(codec.sids[s.firstItem()].codes()), s.logProb(), 1e-6);
    }

    /** q's mass of the items whose SID starts with sid[0..l) followed by code c (c < 0: just sid[0..l)); 0 if none. */
    private double prefixMass(int[] sid, int l, int c, double share) {
        double m = 0;
        boolean any = false;
        for (int i = 0; i < codec.itemCount(); i++) {
            int[] other = codec.sids[i].codes();
            boolean match = true;
            for (int j = 0; j < l; j++) match &= other[j] == sid[j];
            if (c >= 0) match &= other[l] == c;
            if (match) {
                m += Math.exp(logQ(i, share));
                any = true;
            }
        }
        return any ? m : 0;
    }

    @Test
    void aStrongPriorLiftsItsItemToTheTopAndChangesWhatANarrowBeamKeeps() {
        ItemPrior onlyItem9 = history -> new ItemPrior.Evidence(new int[]{9}, new double[]{1});
        List<GeneratedSession> plain = search.search(new FakeDecoder(config), List.of(user), DecodingOptions.beams(2)).getFirst();
        assertTrue(plain.stream().noneMatch(s -> s.firstItem() == 9), "item 9 is not in the plain top 2");
        List<GeneratedSession> fused = search.search(new FakeDecoder(config), List.of(user),
                DecodingOptions.beams(2).withFusion(new PriorFusion(onlyItem9, 5, 0.01))).getFirst();
        assertEquals(9, fused.getFirst().firstItem());
    }

    @Test
    void withoutEvidenceAUniformBackgroundKeepsTheGeneratorsOrderOfCompleteItems() {
        // log q is the same for every item, so the exhaustive ranking is the generator's own.
        ItemPrior none = history -> ItemPrior.Evidence.empty();
        List<GeneratedSession> plain = search.search(new FakeDecoder(config), List.of(user), DecodingOptions.beams(13)).getFirst();
        List<GeneratedSession> fused = search.search(new FakeDecoder(config), List.of(user),
                DecodingOptions.beams(13).withFusion(new PriorFusion(none, 2, 0.5))).getFirst();
        for (int r = 0; r < plain.size(); r++) {
            assertEquals(plain.get(r).logProb(), fused.get(r).logProb(), 1e-9, "rank " + r);
        }
    }

    @Test
    void aMixtureWeighsEachPriorsNormalisedEvidence() {
        ItemPrior a = history -> new ItemPrior.Evidence(new int[]{1, 2}, new double[]{3, 1});   // 0.75, 0.25
        ItemPrior b = history -> new ItemPrior.Evidence(new int[]{2, 5}, new double[]{10, 10}); // 0.5, 0.5
        ItemPrior.Evidence mixed = ItemPrior.mixture(a, b, 0.2).evidence(user);
        double[] dense = new double[6];
        for (int i = 0; i < mixed.size(); i++) dense[mixed.item(i)] += mixed.weight(i);
        assertArrayEquals(new double[]{0, 0.6, 0.2 + 0.1, 0, 0, 0.1}, dense, 1e-12);
        assertEquals(1.0, ItemPrior.mixture(a, b, 0.2).background(3), 0);
        assertThrows(IllegalArgumentException.class, () -> ItemPrior.mixture(a, b, 1.5));
    }

    @Test
    void badPriorsAndWeightsAreRejectedWithTheirValues() {
        assertThrows(IllegalArgumentException.class, () -> new PriorFusion(prior, -1, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new PriorFusion(prior, Double.NaN, 0.1));
        assertThrows(IllegalArgumentException.class, () -> new PriorFusion(prior, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new ItemPrior.Evidence(new int[]{1}, new double[]{Double.NaN}));
        assertThrows(IllegalArgumentException.class, () -> new ItemPrior.Evidence(new int[]{-1}, new double[]{1}));
        assertThrows(IllegalArgumentException.class, () -> new ItemPrior.Evidence(new int[]{1, 2}, new double[]{1}));
        ItemPrior zeroBackground = new ItemPrior() {
            @Override
            public Evidence evidence(UserHistory history) {
                return Evidence.empty();
            }

            @Override
            public double background(int item) {
                return item == 4 ? 0 : 1;
            }
        };
        var e = assertThrows(IllegalArgumentException.class, () -> search.search(new FakeDecoder(config), List.of(user),
                DecodingOptions.beams(2).withFusion(new PriorFusion(zeroBackground, 1, 0.5))));
        assertTrue(e.getMessage().contains("item 4"), e.getMessage());
        ItemPrior nullEvidence = history -> null;
        assertThrows(IllegalStateException.class, () -> search.search(new FakeDecoder(config), List.of(user),
                DecodingOptions.beams(2).withFusion(new PriorFusion(nullEvidence, 1, 0.5))));
    }
    /**
     * The product of experts renormalises over each node's children, so the per-node shift between the codebook and
     * the trie softmax cancels: the same ranking, and the trie search's session log-probability is the trie-normalised one.
     */
    @Test
    void productOfExpertsRanksTheSameUnderTheTrieSoftmax() {
        DecodingOptions options = DecodingOptions.beams(codec.itemCount())
                .withFusion(new PriorFusion(prior, 1.5, 0.2).asProductOfExperts());
        List<GeneratedSession> codebook = search.search(new FakeDecoder(config), List.of(user), options).getFirst();
        List<GeneratedSession> trie = search.search(new FakeDecoder(config), List.of(user),
                options.withCodeSoftmax(DecodingOptions.CodeSoftmax.TRIE)).getFirst();
        assertEquals(codebook.size(), trie.size());
        boolean anyDifferentLogProb = false;
        for (int r = 0; r < trie.size(); r++) {
            assertEquals(codebook.get(r).firstItem(), trie.get(r).firstItem(), "rank " + r);
            anyDifferentLogProb |= Math.abs(codebook.get(r).logProb() - trie.get(r).logProb()) > 1e-3;
        }
        assertTrue(anyDifferentLogProb, "the sessions report each softmax's own log-probability");
    }

    /** Logits of a made-up item head, different per user, so that fusing it moves the ranking. */
    private float[] headLogits(List<UserHistory> users) {
        int n = codec.itemCount();
        float[] out = new float[users.size() * n];
        for (int u = 0; u < users.size(); u++) {
            for (int i = 0; i < n; i++) out[u * n + i] = ((i * 7 + u * 3) % 11) / 2f;
        }
        return out;
    }

    /** The fake decoder with that item head. */
    private StepDecoder decoderWithHead() {
        return (users, beamWidth) -> {
            StepDecoder.Session inner = new FakeDecoder(config).start(users, beamWidth);
            return new StepDecoder.Session() {
                @Override
                public float[] step(int[] tokens, int[] parents, int level) {
                    return inner.step(tokens, parents, level);
                }

                @Override
                public float[] itemLogits() {
                    return headLogits(users);
                }

                @Override
                public void close() {
                    inner.close();
                }
            };
        };
    }

    /**
     * The generator's own item head ({@link ItemHead#OWN}) fuses exactly as an external prior would that returned the
     * head's evidence: the decoder's logits, softmaxed, history left out when the request leaves it out, top {@value ItemHead#TOP_K}.
     */
    @Test
    void theOwnItemHeadFusesAsAPriorHoldingItsEvidence() {
        List<UserHistory> users = List.of(user, new UserHistory(2, new int[]{4}));
        for (boolean excludeHistory : new boolean[]{false, true}) {
            float[] logits = headLogits(users);
            int n = codec.itemCount();
            ItemPrior same = new ItemPrior() {
                @Override
                public Evidence evidence(UserHistory h) {
                    int u = users.indexOf(h);
                    return ItemHead.evidence(logits, u * n, n, h.items(), excludeHistory, ItemHead.TOP_K);
                }
            };
            DecodingOptions base = DecodingOptions.beams(6).withExcludeHistory(excludeHistory);
            List<List<GeneratedSession>> own = search.search(decoderWithHead(), users, base.withFusion(ItemHead.fusion(1.5, 0.1)));
            List<List<GeneratedSession>> external = search.search(new FakeDecoder(config), users, base.withFusion(new PriorFusion(same, 1.5, 0.1)));
            List<List<GeneratedSession>> alone = search.search(new FakeDecoder(config), users, base);
            boolean moved = false;
            for (int u = 0; u < users.size(); u++) {
                assertEquals(external.get(u).size(), own.get(u).size());
                for (int r = 0; r < own.get(u).size(); r++) {
                    assertEquals(external.get(u).get(r).firstItem(), own.get(u).get(r).firstItem(), "user " + u + ", rank " + r);
                    assertEquals(external.get(u).get(r).logProb(), own.get(u).get(r).logProb(), 1e-9);
                    moved |= own.get(u).get(r).firstItem() != alone.get(u).get(r).firstItem();
                }
            }
            assertTrue(moved, "the head changes the ranking");
        }
    }

    @Test
    void theOwnItemHeadNeedsADecoderThatHasOne() {
        DecodingOptions fused = DecodingOptions.beams(4).withFusion(ItemHead.fusion(1, 0.1));
        assertThrows(UnsupportedOperationException.class, () -> search.search(new FakeDecoder(config), List.of(user), fused));
        assertThrows(UnsupportedOperationException.class, () -> ItemHead.OWN.evidence(user), "not a standalone prior");
        assertEquals(List.of(), search.search(decoderWithHead(), List.of(), DecodingOptions.beams(4).withFusion(ItemHead.fusion(1, 0.1))),
                "no users, nothing to ask the head");
    }

    @Test
    void itemHeadEvidenceIsTheSoftmaxTopKWithoutTheHistory() {
        float[] logits = {9, 0, 2, 1, 2, 5, 3};  // two users' worth, offset 2: {2, 1, 2, 5, 3}
        ItemPrior.Evidence e = ItemHead.evidence(logits, 2, 5, new int[]{3}, true, 3);
        double z = Math.exp(2) + Math.exp(1) + Math.exp(2) + Math.exp(3);   // item 3 (logit 5) left out
        assertArrayEquals(new int[]{4, 0, 2}, e.items(), "highest first, ties to the lower item");
        assertEquals(Math.exp(3) / z, e.weight(0), 1e-12);
        assertEquals(Math.exp(2) / z, e.weight(1), 1e-12);
        assertEquals(Math.exp(2) / z, e.weight(2), 1e-12);
        ItemPrior.Evidence all = ItemHead.evidence(logits, 2, 5, new int[]{3}, false, 10);
        assertArrayEquals(new int[]{3, 4, 0, 2, 1}, all.items(), "nothing left out, and top k beyond the catalog keeps all");
        assertEquals(0, ItemHead.evidence(new float[]{1}, 0, 1, new int[]{0}, true, 5).size(), "everything excluded");
        assertThrows(IllegalArgumentException.class, () -> ItemHead.evidence(logits, 0, 5, new int[0], false, 0));
        assertThrows(IllegalStateException.class, () -> ItemHead.evidence(new float[]{Float.NaN}, 0, 1, new int[0], false, 1));
    }
}

package io.onerec.testing;

import io.onerec.api.DecodingOptions;
import io.onerec.api.GeneratedSession;
import io.onerec.api.Generator;
import io.onerec.api.ItemPrior;
import io.onerec.api.PriorFusion;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.UserHistory;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shallow fusion checked on a real generator, the same way for every backend: with a beam as wide as the catalog
 * every item comes back, each with the generator's own log-probability, in the order of
 * {@code logProb + weight * log q(item)}, q computed here from {@link PriorFusion}'s definition; and the plain
 * request's log-probabilities are the same numbers (fusion changes the order, never the model's scores).
 */
public final class FusionScenarios {
    private FusionScenarios() {
    }

    /** A random sparse prior: a few items per user with random weights, an uneven background. */
    public static ItemPrior randomPrior(int items, long seed) {
        return new ItemPrior() {
            @Override
            public Evidence evidence(UserHistory history) {
                Random rnd = new Random(seed * 31 + history.userId());
                Set<Integer> chosen = new HashSet<>();
                while (chosen.size() < 1 + rnd.nextInt(5)) chosen.add(rnd.nextInt(items));
                int[] it = chosen.stream().mapToInt(Integer::intValue).toArray();
                double[] w = new double[it.length];
                for (int i = 0; i < w.length; i++) w[i] = 0.1 + rnd.nextDouble() * 3;
                return new Evidence(it, w);
            }

            @Override
            public double background(int item) {
                return 1 + (item * 7) % 5;
            }
        };
    }

    /** log q(item) per {@link PriorFusion}'s formula. */
    static double logQ(ItemPrior prior, UserHistory user, int item, SemanticIdCodec codec, double share) {
        ItemPrior.Evidence ev = prior.evidence(user);
        double evTotal = 0, evItem = 0, bgTotal = 0;
        for (int i = 0; i < ev.size(); i++) {
            evTotal += ev.weight(i);
            if (ev.item(i) == item) evItem = ev.weight(i);
        }
        for (int i = 0; i < codec.itemCount(); i++) bgTotal += prior.background(i);
        double bg = prior.background(item) / bgTotal;
        return Math.log(evTotal > 0 ? share * bg + (1 - share) * evItem / evTotal : bg);
    }

    /** @return the number of ranked pairs checked */
    public static int assertFusedOrderMatchesDefinition(Generator generator, SemanticIdCodec codec, int users, long seed) {
        ItemPrior prior = randomPrior(codec.itemCount(), seed);
        int checked = 0;
        for (double weight : new double[]{0.5, 2.0}) {
            double share = 0.25;
            DecodingOptions plainOptions = DecodingOptions.beams(codec.itemCount());
            DecodingOptions fusedOptions = plainOptions.withFusion(new PriorFusion(prior, weight, share));
            for (UserHistory user : TestModels.users(users, codec.itemCount(), 0, seed)) {
                List<GeneratedSession> fused = generator.generate(user, fusedOptions);
                List<GeneratedSession> plain = generator.generate(user, plainOptions);
                assertEquals(codec.itemCount(), fused.size(), "an exhaustive fused beam returns every item");
                double[] plainLogProb = new double[codec.itemCount()];
                for (GeneratedSession s : plain) plainLogProb[s.firstItem()] = s.logProb();
                double previous = Double.POSITIVE_INFINITY;
                for (int r = 0; r < fused.size(); r++) {
                    GeneratedSession s = fused.get(r);
                    assertEquals(plainLogProb[s.firstItem()], s.logProb(), 1e-5, "fusion must not change the generator's log-probability");
                    double score = s.logProb() + weight * logQ(prior, user, s.firstItem(), codec, share);
                    assertTrue(score <= previous + 1e-5, "user " + user.userId() + ", weight " + weight + ", rank " + r
                            + ": fused score " + score + " above the previous " + previous);
                    previous = score;
                    checked++;
                }
            }
        }
        return checked;
    }
}

package io.onerec.tools.eval;

import io.onerec.api.ItemPrior;
import io.onerec.api.UserHistory;
import io.onerec.tools.data.NextItemExample;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class PriorRankingTest {
    /** Knows the answer of a training pair, guesses item 1 otherwise. */
    private static final ItemPrior RECALLS = new ItemPrior() {
        @Override
        public Evidence evidence(UserHistory history) {
            return new Evidence(new int[]{1, 2, 3}, new double[]{3, 2, 1});
        }

        @Override
        public Evidence evidenceForTraining(UserHistory history, int next) {
            return new Evidence(new int[]{next, 1}, new double[]{1, 3});
        }
    };

    @Test
    void ranksTheNextItemInTheEvidence() {
        List<NextItemExample> pairs = List.of(new NextItemExample(new UserHistory(0, new int[]{5}), 2, 1),
                new NextItemExample(new UserHistory(1, new int[]{5}), 9, 1));
        PriorRanking held = PriorRanking.measure(RECALLS, pairs, false, 2);
        // Item 2 at rank 2 for the first pair, item 9 absent for the second.
        assertEquals(0.5, held.recall(), 1e-12);
        assertEquals(0.5 / (Math.log(3) / Math.log(2)), held.ndcg(), 1e-12);
        assertEquals((2.0 / 6) / 2, held.targetShare(), 1e-12);
        PriorRanking trained = PriorRanking.measure(RECALLS, pairs, true, 2);
        assertEquals(1.0, trained.recall(), 1e-12);
        assertEquals(0.25, trained.targetShare(), 1e-12);
        assertEquals(0.0, PriorRanking.measure(RECALLS, pairs, true, 1).recall(), 1e-12, "item 1 outweighs the answer");
        assertThrows(IllegalArgumentException.class, () -> PriorRanking.measure(RECALLS, pairs, true, 0));
        assertThrows(IllegalArgumentException.class, () -> PriorRanking.measure(RECALLS, List.of(), true, 2));
    }
}

package io.onerec.tools.eval;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RankingMetricsTest {
    private static final double EPS = 1e-12;

    @Test
    void singleUserValues() {
        int[] ranked = {7, 3, 9, 1, 4, 8, 2, 6, 0, 5};
        // target 7 at rank 0: NDCG = 1/log2(2) = 1
        assertEquals(1.0, RankingMetrics.ndcg(ranked, 7, 5), EPS);
        assertEquals(1.0, RankingMetrics.recall(ranked, 7, 5), EPS);
        // target 9 at rank 2: NDCG = 1/log2(4) = 1/2
        assertEquals(0.5, RankingMetrics.ndcg(ranked, 9, 5), EPS);
        // target 4 at rank 4 (last slot of top 5): 1/log2(6) = 0.38685280723454163
        assertEquals(0.38685280723454163, RankingMetrics.ndcg(ranked, 4, 5), EPS);
        assertEquals(1.0, RankingMetrics.recall(ranked, 4, 5), EPS);
        // target 8 at rank 5: outside top 5 -> 0; inside top 10 -> 1/log2(7) = 0.3562071871080222
        assertEquals(0.0, RankingMetrics.ndcg(ranked, 8, 5), EPS);
        assertEquals(0.0, RankingMetrics.recall(ranked, 8, 5), EPS);
        assertEquals(0.3562071871080222, RankingMetrics.ndcg(ranked, 8, 10), EPS);
        // absent target -> 0 everywhere
        assertEquals(0.0, RankingMetrics.ndcg(ranked, 42, 10), EPS);
        assertEquals(-1, RankingMetrics.rankOf(ranked, 42));
    }

    @Test
    void averagesOverUsers() {
        RankingMetrics m = new RankingMetrics(10, 5);
        m.add(new int[]{1, 2, 3, 4, 5, 6}, 1);          // rank 0: R@5=1 N@5=1,            R@10=1 N@10=1
        m.add(new int[]{1, 2, 3, 4, 5, 6, 7, 8}, 8);    // rank 7: R@5=0 N@5=0,            R@10=1 N@10=1/log2(9)=0.31546487678572877
        m.add(new int[]{1, 2}, 2);                      // rank 1 (short list): R@5=1 N@5=1/log2(3)=0.6309297535714575, same @10
        m.add(new int[]{}, 3);                          // empty list: miss everywhere
        assertEquals(4, m.count());
        assertEquals((1 + 0 + 1 + 0) / 4.0, m.recall(5), EPS);          // 0.5
        assertEquals((1 + 1 + 1 + 0) / 4.0, m.recall(10), EPS);         // 0.75
        assertEquals((1 + 0 + 0.6309297535714575 + 0) / 4.0, m.ndcg(5), EPS);                        // 0.4077324383928644
        assertEquals((1 + 0.31546487678572877 + 0.6309297535714575 + 0) / 4.0, m.ndcg(10), EPS);     // 0.4865986575892966
        assertEquals(0.4077324383928644, m.ndcg(5), EPS);
        assertEquals(0.4865986575892966, m.ndcg(10), EPS);
        assertTrue(m.ndcg(5) <= m.recall(5));
    }

    @Test
    void rejectsBadLists() {
        var dup = assertThrows(IllegalArgumentException.class, () -> RankingMetrics.rankOf(new int[]{3, 1, 3}, 1));
        assertTrue(dup.getMessage().contains("item 3 more than once"), dup.getMessage());
        var neg = assertThrows(IllegalArgumentException.class, () -> new RankingMetrics(5).add(new int[]{2, -1}, 2));
        assertTrue(neg.getMessage().contains("negative item -1"), neg.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RankingMetrics(5, 5));
        assertThrows(IllegalArgumentException.class, () -> new RankingMetrics(0));
        var untracked = assertThrows(IllegalArgumentException.class, () -> new RankingMetrics(5).recall(10));
        assertTrue(untracked.getMessage().contains("K=10"));
    }

    @Test
    void emptyAccumulatorIsNaN() {
        assertTrue(Double.isNaN(new RankingMetrics(5).recall(5)));
    }
}

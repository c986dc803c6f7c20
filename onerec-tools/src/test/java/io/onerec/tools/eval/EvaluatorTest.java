package io.onerec.tools.eval;

import io.onerec.api.TrainingProgress;
import io.onerec.tools.data.InteractionSequences;
import io.onerec.tools.data.LeaveOneOutSplit;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EvaluatorTest {

    /** Four users, each with test target = their last item: 3, 3, 5, 0. */
    private static LeaveOneOutSplit split() {
        int[][] seqs = {{0, 1, 2, 3}, {4, 5, 1, 3}, {2, 1, 0, 5}, {6, 4, 2, 0}};
        String[] items = {"a", "b", "c", "d", "e", "f", "g"};
        return LeaveOneOutSplit.of(new InteractionSequences("t", seqs, null, new String[]{"u0", "u1", "u2", "u3"}, items));
    }

    /** A recommender with a fixed list per user. */
    private static BatchRecommender fixed(Map<Integer, int[]> perUser) {
        return (histories, topK) -> {
            List<int[]> out = new ArrayList<>();
            histories.forEach(h -> out.add(perUser.get((int) h.userId())));
            return out;
        };
    }

    @Test
    void computesMeansOverTheTestSet() {
        BatchRecommender rec = fixed(Map.of(
                0, new int[]{3, 1},                     // target 3 at rank 0: R@1=1 N@1=1, R@3=1 N@3=1
                1, new int[]{6, 5, 3},                  // target 3 at rank 2: R@1=0, R@3=1 N@3=1/log2(4)=0.5
                2, new int[]{5},                        // target 5 at rank 0
                3, new int[]{}));                       // miss
        List<TrainingProgress> reports = new ArrayList<>();
        Evaluator ev = new Evaluator(new int[]{3, 1}, 3, reports::add);
        EvaluationResult r = ev.test(split(), rec);
        assertEquals(4, r.users());
        assertEquals(2 / 4.0, r.recall(1), 1e-12);               // users 0 and 2
        assertEquals(2 / 4.0, r.ndcg(1), 1e-12);
        assertEquals(3 / 4.0, r.recall(3), 1e-12);               // users 0, 1, 2
        assertEquals((1 + 0.5 + 1) / 4.0, r.ndcg(3), 1e-12);     // 0.625
        // batches of 3 over 4 users -> 2 progress reports
        assertEquals(2, reports.size());
        assertEquals("eval/test", reports.get(1).phase());
        assertEquals(2, reports.get(1).total());
        assertEquals(0.625, reports.get(1).metrics().get("ndcg@3"), 1e-12);
        assertTrue(r.toString().contains("R@3=0.7500"), r.toString());
        assertThrows(IllegalArgumentException.class, () -> r.recall(10));
    }

    @Test
    void asksForMaxKAndValidatesLists() {
        LeaveOneOutSplit split = split();
        Evaluator ev = new Evaluator(new int[]{5, 10}, 2, null);
        int[] askedK = new int[1];
        ev.validation(split, (histories, topK) -> {
            askedK[0] = topK;
            return histories.stream().map(h -> new int[]{0}).toList();
        });
        assertEquals(10, askedK[0]);

        var tooFew = assertThrows(IllegalStateException.class, () -> ev.test(split, (h, k) -> List.of(new int[]{0})));
        assertTrue(tooFew.getMessage().contains("1 lists for a batch of 2"), tooFew.getMessage());
        var outside = assertThrows(IllegalStateException.class,
                () -> ev.test(split, (h, k) -> h.stream().map(x -> new int[]{7}).toList()));
        assertTrue(outside.getMessage().contains("item 7") && outside.getMessage().contains("[0, 7)"), outside.getMessage());
        var dup = assertThrows(IllegalArgumentException.class,
                () -> ev.test(split, (h, k) -> h.stream().map(x -> new int[]{1, 1}).toList()));
        assertTrue(dup.getMessage().contains("more than once"), dup.getMessage());
        var tooLong = assertThrows(IllegalStateException.class,
                () -> ev.test(split, (h, k) -> h.stream().map(x -> new int[]{0, 1, 2, 3, 4, 5, 6, 0, 1, 2, 3}).toList()));
        assertTrue(tooLong.getMessage().contains("at most 10"), tooLong.getMessage());
    }
}

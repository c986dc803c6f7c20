package io.onerec.tools.data;

import io.onerec.api.UserHistory;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LeaveOneOutSplitTest {

    private static InteractionSequences tiny() {
        // user 0: 7 items, user 1: 3 items (minimum), user 2: 2 items (too short), user 3: 4 items
        int[][] seqs = {{0, 1, 2, 3, 4, 5, 6}, {4, 5, 6}, {1, 2}, {6, 5, 4, 3}};
        return new InteractionSequences("tiny", seqs, null, new String[]{"a", "b", "c", "d"},
                new String[]{"i0", "i1", "i2", "i3", "i4", "i5", "i6"});
    }

    @Test
    void repeatShareCountsTrainingTargetsSeenInTheirHistoryWindow() {
        assertEquals(0.0, LeaveOneOutSplit.of(tiny(), 3).repeatShare());
        // Training parts: user 0 {0, 1, 0, 2, 3, 1} (the last two items are validation and test), user 1 {2, 2, 2}.
        // Targets 1, 0, 2, 3, 1 of user 0: 0 repeats at distance 2; 1 at distance 4, beyond a history of 3.
        // Targets 2, 2 of user 1: both repeats. The validation/test targets (9, 9 and 2, 9) never count.
        int[][] seqs = {{0, 1, 0, 2, 3, 1, 9, 9}, {2, 2, 2, 2, 9}};
        InteractionSequences data = new InteractionSequences("repeats", seqs, null, new String[]{"a", "b"},
                new String[]{"i0", "i1", "i2", "i3", "i4", "i5", "i6", "i7", "i8", "i9"});
        assertEquals(3.0 / 7, LeaveOneOutSplit.of(data, 3).repeatShare(), 1e-12);
        assertEquals(4.0 / 7, LeaveOneOutSplit.of(data, 20).repeatShare(), 1e-12);
    }

    @Test
    void protocolOnHandMadeSequences() {
        LeaveOneOutSplit split = LeaveOneOutSplit.of(tiny(), 3);
        assertEquals(1, split.skippedUsers());
        // train examples: user 0 -> n-3 = 4 (targets s[1..4]), user 1 -> 0, user 3 -> 1 (target s[1])
        assertEquals(5, split.train().size());
        assertEquals(3, split.validation().size());
        assertEquals(3, split.test().size());

        NextItemExample t0 = split.test().get(0);
        assertEquals(6, t0.target());
        assertEquals(6, t0.position());
        assertArrayEquals(new int[]{3, 4, 5}, t0.history().items()); // s[0..5] capped at the last 3
        NextItemExample v0 = split.validation().get(0);
        assertEquals(5, v0.target());
        assertArrayEquals(new int[]{2, 3, 4}, v0.history().items());

        assertEquals(1, split.train().get(0).target());
        assertArrayEquals(new int[]{0}, split.train().get(0).history().items());
        assertEquals(4, split.train().get(3).target());
        assertArrayEquals(new int[]{1, 2, 3}, split.train().get(3).history().items());
        assertEquals(0, split.train().get(3).user());

        // user 1 (n = 3): no train examples; validation 5 | [4], test 6 | [4, 5]
        assertEquals(1, split.validation().get(1).user());
        assertArrayEquals(new int[]{4}, split.validation().get(1).history().items());
        assertArrayEquals(new int[]{4, 5}, split.test().get(1).history().items());
        // user 3: train 5 | [6]
        assertEquals(3, split.train().get(4).user());
        assertEquals(5, split.train().get(4).target());

        assertArrayEquals(new int[]{0, 1, 2, 3, 4}, split.trainSequence(0));
        assertArrayEquals(new int[0], split.trainSequence(2));
        // train counts: user0 items 0..4, user1 item 4, user3 items 6, 5
        assertArrayEquals(new int[]{1, 1, 1, 1, 2, 1, 1}, split.trainItemCounts());
        assertThrows(IllegalArgumentException.class, () -> LeaveOneOutSplit.of(tiny(), 0));
    }

    @Test
    void beautySplitSizes() {
        InteractionSequences b = TestData.beauty();
        LeaveOneOutSplit split = LeaveOneOutSplit.of(b);
        assertEquals(0, split.skippedUsers());
        assertEquals(22_363, split.test().size());
        assertEquals(22_363, split.validation().size());
        assertEquals(198_502 - 3 * 22_363, split.train().size()); // 131,413
        long trainInteractions = 0;
        for (int c : split.trainItemCounts()) trainInteractions += c;
        assertEquals(198_502 - 2 * 22_363, trainInteractions); // 153,776
        int maxLen = 0;
        for (NextItemExample e : split.train()) maxLen = Math.max(maxLen, e.history().length());
        assertEquals(20, maxLen);

        // No leakage: every test/validation history is a strict prefix of the user's sequence, and the targets
        // are exactly the last two items.
        for (int u = 0; u < b.userCount(); u++) {
            int[] s = b.sequence(u);
            NextItemExample test = split.test().get(u);
            NextItemExample val = split.validation().get(u);
            assertEquals(u, test.user());
            assertEquals(s[s.length - 1], test.target());
            assertEquals(s[s.length - 2], val.target());
            UserHistory h = test.history();
            assertEquals(Math.min(20, s.length - 1), h.length());
            assertEquals(s[s.length - 2], h.item(h.length() - 1));
        }
    }

    @Test
    void movieLensSplitWithLongHistories() {
        InteractionSequences ml = TestData.movieLens();
        LeaveOneOutSplit split = LeaveOneOutSplit.of(ml, 50);
        assertEquals(0, split.skippedUsers());
        assertEquals(943, split.test().size());
        assertEquals(100_000 - 3 * 943, split.train().size()); // 97,171
        Set<Integer> lengths = new HashSet<>();
        for (NextItemExample e : split.test()) lengths.add(e.history().length());
        assertTrue(lengths.contains(50) && lengths.stream().allMatch(l -> l <= 50));
        // the test target's rating is reachable through its position
        NextItemExample t = split.test().get(0);
        assertEquals(ml.length(0) - 1, t.position());
        float r = ml.ratings(0)[t.position()];
        assertTrue(r >= 1 && r <= 5);
    }
}

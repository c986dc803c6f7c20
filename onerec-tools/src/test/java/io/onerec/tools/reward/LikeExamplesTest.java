package io.onerec.tools.reward;

import io.onerec.api.reward.RewardExample;
import io.onerec.api.UserHistory;
import io.onerec.tools.data.InteractionSequences;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Like examples, the item like-rate baseline and history feedback on hand-made data. */
class LikeExamplesTest {
    // user 0 rates items 0..4 with 5, 2, 4, 1, 4; user 1 rates items 4, 3 with 3, 5
    static final InteractionSequences RATED = new InteractionSequences("hand-made", new int[][]{{0, 1, 2, 3, 4}, {4, 3}},
            new float[][]{{5, 2, 4, 1, 4}, {3, 5}}, new String[]{"a", "b"}, new String[]{"i0", "i1", "i2", "i3", "i4"});

    @Test
    void everyPositionAfterTheMinimumHistoryWithItsLikeAndThePreviousLikes() {
        List<RewardExample> all = new LikeExamples(10, 2, 2, 4f, true).build(RATED, 0, 2, new Random(1));
        assertEquals(3, all.size(), "positions 2, 3, 4 of user 0; user 1 has no position after 2 items");
        for (RewardExample e : all) {
            int t = e.items()[0]; // item i sits at position i of user 0
            assertArrayEquals(new int[]{t - 2, t - 1}, e.user().items());
            float[] ratings = {5, 2, 4, 1, 4};
            assertArrayEquals(new float[]{ratings[t - 2] >= 4 ? 1 : 0, ratings[t - 1] >= 4 ? 1 : 0}, e.user().feedback());
            assertEquals(ratings[t] >= 4 ? 1f : 0f, e.label(0));
        }
        List<RewardExample> plain = new LikeExamples(1, 0, 5, 4f, false).build(RATED, 0, 2, new Random(1));
        assertEquals(2, plain.size(), "one position per user");
        assertFalse(plain.getFirst().user().hasFeedback());
        assertThrows(IllegalArgumentException.class, () -> new LikeExamples(1, 0, 5, 4f, true).build(RATED, 1, 3, new Random(1)));
    }

    @Test
    void itemRateBaselineSmoothsCountsAndAveragesOverTheSession() {
        UserHistory none = new UserHistory(0, new int[0]);
        List<RewardExample> ex = List.of(
                new RewardExample(none, new int[]{0}, new float[]{1}),
                new RewardExample(none, new int[]{0}, new float[]{1}),
                new RewardExample(none, new int[]{1}, new float[]{0}));
        ItemRateBaseline b = ItemRateBaseline.fit(ex, 3, 0);
        assertEquals(3.0 / 4, b.score(new int[]{0}), 1e-12);
        assertEquals(1.0 / 3, b.score(new int[]{1}), 1e-12);
        assertEquals(0.5, b.score(new int[]{2}), 1e-12, "unseen item");
        assertEquals((3.0 / 4 + 1.0 / 3) / 2, b.score(new int[]{0, 1}), 1e-12);
        assertThrows(IllegalArgumentException.class, () -> b.score(new int[]{3}));
    }

    @Test
    void historyFeedbackIsCheckedAndClippedWithItsItems() {
        UserHistory h = new UserHistory(7, new int[]{1, 2, 3}, new float[]{1, 0, 0.5f});
        UserHistory tail = h.lastItems(2);
        assertArrayEquals(new int[]{2, 3}, tail.items());
        assertArrayEquals(new float[]{0, 0.5f}, tail.feedback());
        assertThrows(IllegalArgumentException.class, () -> new UserHistory(7, new int[]{1, 2}, new float[]{1}));
        assertThrows(IllegalArgumentException.class, () -> new UserHistory(7, new int[]{1}, new float[]{2}));
        assertThrows(IllegalArgumentException.class, () -> new UserHistory(7, new int[]{1}, new float[]{Float.NaN}));
        assertThrows(IllegalStateException.class, () -> new UserHistory(7, new int[]{1}).feedback(0));
    }
}

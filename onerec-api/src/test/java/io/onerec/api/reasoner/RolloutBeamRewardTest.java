package io.onerec.api.reasoner;

import io.onerec.api.SemanticId;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class RolloutBeamRewardTest {
    @Test
    void rewardIsTheBestBeamsMatchingLeadingLevels() {
        SemanticId target = SemanticId.of(3, 1, 4);
        assertEquals(3, RolloutBeamReward.matchingLevels(SemanticId.of(3, 1, 4), target));
        assertEquals(2, RolloutBeamReward.matchingLevels(SemanticId.of(3, 1, 0), target));
        assertEquals(1, RolloutBeamReward.matchingLevels(SemanticId.of(3, 0, 4), target));
        // Level 3 matches but under a different parent: it does not count.
        assertEquals(0, RolloutBeamReward.matchingLevels(SemanticId.of(2, 1, 4), target));
        assertEquals(2, RolloutBeamReward.reward(List.of(SemanticId.of(2, 1, 4), SemanticId.of(3, 1, 9), SemanticId.of(3, 0, 4)), target));
        assertEquals(0, RolloutBeamReward.reward(List.of(), target));
        assertEquals(3, RolloutBeamReward.reward(List.of(SemanticId.of(0, 0, 0), target), target));
    }

    @Test
    void advantagesAreGroupNormalised() {
        double[] a = RolloutBeamReward.advantages(new double[]{0, 1, 2, 1});
        // mean 1, population std sqrt(0.5)
        double s = Math.sqrt(0.5);
        assertEquals(-1 / s, a[0], 1e-4);
        assertEquals(0, a[1], 1e-9);
        assertEquals(1 / s, a[2], 1e-4);
        assertArrayEquals(new double[]{0, 0, 0}, RolloutBeamReward.advantages(new double[]{2, 2, 2}));
    }
}

package io.onerec.tools.reward;

import io.onerec.api.reward.RewardModelConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class AucTest {
    @Test
    void countsCorrectlyOrderedPairsWithHalfTies() {
        // Positives 0.9 and 0.4, negatives 0.5 and 0.1: pairs (0.9>0.5, 0.9>0.1, 0.4<0.5, 0.4>0.1) -> 3/4.
        assertEquals(0.75, Auc.of(new double[]{0.9, 0.5, 0.4, 0.1}, new boolean[]{true, false, true, false}), 1e-12);
        assertEquals(1.0, Auc.of(new double[]{1, 2, 3}, new boolean[]{false, true, true}), 1e-12);
        assertEquals(0.0, Auc.of(new double[]{3, 2, 1}, new boolean[]{false, true, true}), 1e-12);
        assertEquals(0.5, Auc.of(new double[]{1, 1, 1, 1}, new boolean[]{true, false, true, false}), 1e-12);
        assertTrue(Double.isNaN(Auc.of(new double[]{1, 2}, new boolean[]{true, true})));
        assertThrows(IllegalArgumentException.class, () -> Auc.of(new double[]{1}, new boolean[]{true, false}));
    }

    @Test
    void configRoundTripsThroughJsonAndRejectsBadInput() {
        RewardModelConfig c = RewardModelConfig.of(50, 8).withFusion(RewardModelConfig.Fusion.MLP, new double[]{1, 2, 3, 4});
        assertEquals(c, RewardModelConfig.fromJson(c.toJson()));
        assertTrue(c.parameterShapes().containsKey("fusion.fc1.weight"));
        assertFalse(RewardModelConfig.of(50, 8).parameterShapes().containsKey("fusion.fc1.weight"));
        assertThrows(IllegalArgumentException.class, () -> RewardModelConfig.of(50, 8).withFusion(RewardModelConfig.Fusion.WEIGHTED, new double[]{1}));
        assertThrows(IllegalArgumentException.class, () -> new RewardModelConfig(50, 8, 5, java.util.List.of("a", "a"), 4,
                RewardModelConfig.Fusion.WEIGHTED, new double[]{1, 1}, 0));
    }
}

package io.onerec.api;

import java.util.List;

/**
 * Reward-model output for a batch of candidate sessions of one user.
 *
 * @param objectives   tower names, e.g. watch_time, view, follow, like
 * @param perObjective [session][objective] sigmoid probabilities
 * @param fused        [session] fused reward (the P-score), higher is better
 */
public record RewardScores(List<String> objectives, float[][] perObjective, float[] fused) {
    public RewardScores {
        objectives = List.copyOf(objectives);
        if (perObjective.length != fused.length) {
            throw new IllegalArgumentException("perObjective has " + perObjective.length + " sessions, fused " + fused.length);
        }
        for (float[] row : perObjective) {
            if (row.length != objectives.size()) {
                throw new IllegalArgumentException("row of " + row.length + " scores for " + objectives.size() + " objectives");
            }
        }
    }

    public int sessions() {
        return fused.length;
    }
}

package io.onerec.api.reasoner;

import io.onerec.api.SemanticId;

import java.util.List;

/**
 * OneRec-Think's rollout-beam reward: after a sampled rationale, a K-wide beam search decodes full SIDs; the reward
 * is the best beam's number of SID levels matching the target. Levels are counted from the first and stop at the
 * first mismatch, because a code only means something under its parent's code (level 2 of a different level-1
 * cluster is an unrelated cluster).
 */
public final class RolloutBeamReward {
    private RolloutBeamReward() {
    }

    /** Matching leading levels of one decoded SID, in [0, target.length()]. */
    public static int matchingLevels(SemanticId decoded, SemanticId target) {
        int n = Math.min(decoded.length(), target.length()), k = 0;
        while (k < n && decoded.code(k) == target.code(k)) k++;
        return k;
    }

    /** Max over the beam of {@link #matchingLevels}; 0 for an empty beam. */
    public static int reward(List<SemanticId> beam, SemanticId target) {
        int best = 0;
        for (SemanticId s : beam) best = Math.max(best, matchingLevels(s, target));
        return best;
    }

    /** Group-relative advantages of GRPO: (r - mean) / (std + eps); all zero when every reward is equal. */
    public static double[] advantages(double[] rewards) {
        double mean = 0;
        for (double r : rewards) mean += r;
        mean /= rewards.length;
        double var = 0;
        for (double r : rewards) var += (r - mean) * (r - mean);
        double std = Math.sqrt(var / rewards.length);
        double[] a = new double[rewards.length];
        for (int i = 0; i < a.length; i++) a[i] = std < 1e-9 ? 0 : (rewards[i] - mean) / (std + 1e-6);
        return a;
    }
}

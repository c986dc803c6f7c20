package io.onerec.libtorch.ipa;

import io.onerec.api.UserHistory;

/** The best and worst of N generated sessions for one user, by fused reward. */
public record PreferencePair(UserHistory user, int[] chosen, int[] rejected, float chosenReward, float rejectedReward) {
    public PreferencePair {
        chosen = chosen.clone();
        rejected = rejected.clone();
    }
}

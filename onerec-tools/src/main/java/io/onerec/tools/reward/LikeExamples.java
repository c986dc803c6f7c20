package io.onerec.tools.reward;

import io.onerec.api.reward.RewardExample;
import io.onerec.api.UserHistory;
import io.onerec.tools.data.InteractionSequences;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Reward-model examples from rated sequences (e.g. MovieLens): one single-item session per sampled position of a
 * user's time-ordered sequence, labelled "like" when its rating is at least {@code likeThreshold}, with the items
 * before it as the history.
 *
 * @param perUser         positions sampled per user (all of them when a user has fewer)
 * @param minHistory      the first {@code minHistory} positions of each sequence are never sampled, so every
 *                        example has at least that much history
 * @param maxHistory      most recent items kept in each example's history
 * @param likeThreshold   ratings at or above it are likes
 * @param historyFeedback whether each history item carries the user's like (1) or not (0) as
 *                        {@link UserHistory#feedback()}
 */
public record LikeExamples(int perUser, int minHistory, int maxHistory, float likeThreshold, boolean historyFeedback) {
    public LikeExamples {
        if (perUser < 1 || minHistory < 0 || maxHistory < 1) {
            throw new IllegalArgumentException("need perUser >= 1, minHistory >= 0, maxHistory >= 1, got " + perUser + ", "
                    + minHistory + ", " + maxHistory);
        }
    }

    /** Examples of users {@code [fromUser, toUser)}, positions drawn with {@code rnd}. */
    public List<RewardExample> build(InteractionSequences data, int fromUser, int toUser, Random rnd) {
        if (!data.hasRatings()) throw new IllegalArgumentException(data.name() + " has no ratings to derive likes from");
        if (fromUser < 0 || toUser > data.userCount() || fromUser > toUser) {
            throw new IllegalArgumentException("user range [" + fromUser + ", " + toUser + ") outside [0, " + data.userCount() + ")");
        }
        List<RewardExample> out = new ArrayList<>();
        for (int u = fromUser; u < toUser; u++) {
            int[] seq = data.sequence(u);
            float[] ratings = data.ratings(u);
            List<Integer> positions = new ArrayList<>();
            for (int t = minHistory; t < seq.length; t++) positions.add(t);
            Collections.shuffle(positions, rnd);
            for (int t : positions.subList(0, Math.min(perUser, positions.size()))) {
                int from = Math.max(0, t - maxHistory);
                float[] liked = null;
                if (historyFeedback) {
                    liked = new float[t - from];
                    for (int i = 0; i < liked.length; i++) liked[i] = ratings[from + i] >= likeThreshold ? 1f : 0f;
                }
                out.add(new RewardExample(new UserHistory(u, Arrays.copyOfRange(seq, from, t), liked), new int[]{seq[t]},
                        new float[]{ratings[t] >= likeThreshold ? 1f : 0f}));
            }
        }
        return out;
    }
}

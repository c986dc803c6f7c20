package io.onerec.api;

import java.nio.file.Path;
import java.util.List;

/**
 * Scores generated sessions for a user: target attention of each item over the history, self-attention across
 * the session, one sigmoid tower per objective, fused into one reward.
 */
public interface RewardModel extends AutoCloseable {

    List<String> objectives();

    /** Scores each candidate session (item indices) for the user. */
    RewardScores score(UserHistory user, List<int[]> sessions);

    void save(Path dir);

    @Override
    default void close() {
    }
}

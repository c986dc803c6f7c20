package io.onerec.api.eval;

import io.onerec.api.UserHistory;

import java.util.List;

/**
 * Recommends for a batch of users at once (generators decode a batch per forward pass). Returns one ranked list of
 * dense item indices per history, in the same order, best first, at most {@code topK} long.
 */
@FunctionalInterface
public interface BatchRecommender {
    List<int[]> recommend(List<UserHistory> histories, int topK);
}

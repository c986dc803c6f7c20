package io.onerec.tools.eval;

import io.onerec.api.GeneratedSession;
import io.onerec.api.DecodingOptions;
import io.onerec.api.Generator;
import io.onerec.api.UserHistory;

import java.util.ArrayList;
import java.util.List;

/**
 * Recommends for a batch of users at once (generators decode a batch per forward pass). Returns one ranked list of
 * dense item indices per history, in the same order, best first, at most {@code topK} long.
 */
@FunctionalInterface
public interface BatchRecommender {
    List<int[]> recommend(List<UserHistory> histories, int topK);

    /** A generator's beams as a ranking: the first item of each generated session, best beam first. */
    static BatchRecommender of(Generator generator, DecodingOptions config) {
        return (histories, topK) -> {
            List<int[]> out = new ArrayList<>(histories.size());
            for (List<GeneratedSession> sessions : generator.generateBatch(histories, config)) {
                int n = Math.min(topK, sessions.size());
                int[] items = new int[n];
                for (int i = 0; i < n; i++) items[i] = sessions.get(i).firstItem();
                out.add(items);
            }
            return out;
        };
    }
}

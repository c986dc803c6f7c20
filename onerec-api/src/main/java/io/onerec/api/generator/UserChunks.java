package io.onerec.api.generator;

import io.onerec.api.ItemFilter;
import io.onerec.api.UserHistory;

import java.util.ArrayList;
import java.util.List;

/**
 * A batch of users cut into consecutive chunks of at most {@code perChunk}, each with its users' filters (null when the
 * request has none): how the backends bound the beam slots of one search and spread a batch over threads.
 */
public record UserChunks(List<List<UserHistory>> users, List<List<ItemFilter>> filters) {

    public static UserChunks split(List<UserHistory> users, List<ItemFilter> userFilters, int perChunk) {
        if (perChunk < 1) throw new IllegalArgumentException("perChunk must be >= 1, got " + perChunk);
        List<List<UserHistory>> chunks = new ArrayList<>();
        List<List<ItemFilter>> chunkFilters = new ArrayList<>();
        for (int from = 0; from < users.size(); from += perChunk) {
            int to = Math.min(users.size(), from + perChunk);
            chunks.add(users.subList(from, to));
            chunkFilters.add(userFilters == null ? null : userFilters.subList(from, to));
        }
        return new UserChunks(chunks, chunkFilters);
    }

    public int size() {
        return users.size();
    }
}

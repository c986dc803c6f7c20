package io.onerec.api.thinkahead;

import io.onerec.api.ProgressListener;
import io.onerec.api.Reasoner;
import io.onerec.api.ReasoningOptions;
import io.onerec.api.TrainingProgress;
import io.onerec.api.UserHistory;

import java.util.List;
import java.util.Map;

/**
 * Think-Ahead's offline half: runs the reasoner over users and stores each user's (c1, c2) prefix set (the union
 * over sampled reasoning paths of the prefixes kept after each path). Seeds are derived from the user id, so a
 * re-run reproduces the store.
 *
 * @param options paths sampled per user (T), prefixes kept per path (m, the beam width) and the base seed; each
 *                user's seed is derived from it and the user id
 */
public record ThinkAheadJob(Reasoner reasoner, ReasoningOptions options) {
    public ThinkAheadJob {
        if (reasoner == null || options == null) throw new IllegalArgumentException("reasoner and options are required");
    }

    /**
     * Computes and stores the prefix sets of all users, then flushes the store; returns the mean set size. The store
     * is first bound to the reasoner's codec ({@link PrefixStore#bindCodec}), so the online side can tell when the
     * prefixes go stale.
     *
     * @throws StalePrefixesException before any work when the store holds prefixes of another codec
     */
    public double run(List<UserHistory> users, PrefixStore store, ProgressListener progress) {
        ProgressListener p = progress == null ? ProgressListener.NONE : progress;
        store.bindCodec(reasoner.codec().fingerprint());
        long total = 0;
        for (int i = 0; i < users.size(); i++) {
            UserHistory u = users.get(i);
            var set = reasoner.thinkAhead(u, options.withSeed(options.seed() * 1_000_003L + u.userId()));
            store.put(u.userId(), set);
            total += set.size();
            if (i % 50 == 0 || i == users.size() - 1) {
                p.onProgress(new TrainingProgress("think-ahead/offline", i + 1, users.size(), Double.NaN,
                        Map.of("meanPrefixes", (double) total / (i + 1))));
            }
        }
        store.flush();
        return users.isEmpty() ? 0 : (double) total / users.size();
    }
}

package io.onerec.api.thinkahead;

import io.onerec.api.GeneratedSession;
import io.onerec.api.DecodingOptions;
import io.onerec.api.Generator;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.UserHistory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Think-Ahead's online half: a generator that decodes each user only under the prefixes the offline job stored
 * for them ({@link DecodingOptions#withAllowedPrefixes}). A user the store does not cover is either decoded
 * without restriction or rejected, as chosen at construction, never silently.
 */
public final class ThinkAheadGenerator implements Generator {
    /** What to do for a user without a stored prefix set. */
    public enum Missing { UNRESTRICTED, FAIL }

    private final Generator generator;
    private final PrefixStore store;
    private final Missing missing;

    public ThinkAheadGenerator(Generator generator, PrefixStore store, Missing missing) {
        this.generator = generator;
        this.store = store;
        this.missing = missing;
    }

    @Override
    public List<List<GeneratedSession>> generateBatch(List<UserHistory> users, DecodingOptions config) {
        // Users have different prefix sets, so each is its own restricted search.
        List<List<GeneratedSession>> out = new ArrayList<>(users.size());
        for (UserHistory u : users) {
            var prefixes = store.get(u.userId()).filter(s -> !s.isEmpty());
            if (prefixes.isEmpty() && missing == Missing.FAIL) {
                throw new NoSuchElementException("no Think-Ahead prefixes stored for user " + u.userId());
            }
            DecodingOptions c = prefixes.map(config::withAllowedPrefixes).orElse(config);
            out.add(generator.generateBatch(List.of(u), c).getFirst());
        }
        return out;
    }

    @Override
    public SemanticIdCodec codec() {
        return generator.codec();
    }

    @Override
    public void save(Path dir) {
        generator.save(dir);
    }

    @Override
    public void close() {
        generator.close();
    }
}

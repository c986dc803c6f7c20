package io.onerec.api.thinkahead;

import io.onerec.api.GeneratedSession;
import io.onerec.api.DecodingOptions;
import io.onerec.api.Generator;
import io.onerec.api.ItemFilter;
import io.onerec.api.SemanticId;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.UserHistory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;

/**
 * Think-Ahead's online half: a generator that decodes each user only under the prefixes the offline job stored
 * for them. A batch is decoded together: each user's prefixes become that user's own filter
 * ({@link Generator#generateBatch(List, DecodingOptions, List)}), with the same sessions as decoding the user alone
 * under {@link DecodingOptions#withAllowedPrefixes}. A user the store does not cover is either decoded without
 * restriction or rejected, as chosen at construction, never silently.
 *
 * <p>When the store records the codec its prefixes were computed for ({@link PrefixStore#codecFingerprint()}), every
 * request checks it against the generator's current codec and fails with a {@link StalePrefixesException} on a
 * mismatch (a refitted codec); catalog updates that keep the codebooks keep serving. A store without a recorded codec
 * is served with a warning, since its prefixes cannot be checked.
 */
public final class ThinkAheadGenerator implements Generator {
    private static final Logger LOG = LoggerFactory.getLogger(ThinkAheadGenerator.class);

    /** What to do for a user without a stored prefix set. */
    public enum Missing { UNRESTRICTED, FAIL }

    private final Generator generator;
    private final PrefixStore store;
    private final Missing missing;
    /** The last codec found to match the store, so the fingerprint is computed once per codec snapshot. */
    private volatile SemanticIdCodec checked;

    /** @throws StalePrefixesException when the store's prefixes were computed for another codec than the generator's */
    public ThinkAheadGenerator(Generator generator, PrefixStore store, Missing missing) {
        this.generator = generator;
        this.store = store;
        this.missing = missing;
        if (store.codecFingerprint().isEmpty()) {
            LOG.warn("the Think-Ahead prefix store does not record its codec; stale prefixes cannot be detected (rerun ThinkAheadJob to record it)");
        }
        requireFresh(generator.codec());
    }

    @Override
    public List<List<GeneratedSession>> generateBatch(List<UserHistory> users, DecodingOptions config) {
        java.util.Objects.requireNonNull(users, "users must not be null");
        requireFresh(generator.codec());
        List<ItemFilter> filters = new ArrayList<>(users.size());
        for (UserHistory u : users) {
            Optional<Set<SemanticId>> prefixes = store.get(u.userId()).filter(s -> !s.isEmpty());
            if (prefixes.isEmpty() && missing == Missing.FAIL) {
                throw new NoSuchElementException("no Think-Ahead prefixes stored for user " + u.userId());
            }
            filters.add(prefixes.map(ItemFilter::allowedPrefixes).orElse(ItemFilter.none()));
        }
        return generator.generateBatch(users, config, filters);
    }

    private void requireFresh(SemanticIdCodec codec) {
        Optional<String> stored = store.codecFingerprint();
        if (stored.isEmpty() || codec == checked) return;
        String current = codec.fingerprint();
        if (!current.equals(stored.get())) {
            throw new StalePrefixesException("the Think-Ahead prefixes were computed for codec " + stored.get() + ", but the generator serves codec "
                    + current + "; the prefixes are stale: rerun ThinkAheadJob for this codec into a new store");
        }
        checked = codec;
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

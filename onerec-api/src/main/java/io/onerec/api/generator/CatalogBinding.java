package io.onerec.api.generator;

import io.onerec.api.SemanticIdCodec;

import java.util.function.Supplier;

/**
 * The codec-dependent half of a generator, kept in step with a catalog that may change at run time
 * (e.g. {@code io.onerec.core.codec.LiveCatalog}): for the codec snapshot the source currently offers, the item token
 * table and the constrained beam search over its trie. A generator calls {@link #current()} once per request and
 * decodes the whole request against that one snapshot, so an update published meanwhile affects only later
 * requests. Rebuilding costs O(catalog) once per new snapshot, not per request. Thread-safe.
 */
public final class CatalogBinding {
    /** One codec snapshot with what decoding against it needs. */
    public record Snapshot(SemanticIdCodec codec, GeneratorTokens tokens, ConstrainedBeamSearch search) {
    }

    private final GeneratorConfig config;
    private final Supplier<? extends SemanticIdCodec> source;
    private volatile Snapshot latest;

    /**
     * @throws IllegalArgumentException when the source's current codec does not fit the generator (codebook sizes)
     */
    public CatalogBinding(GeneratorConfig config, Supplier<? extends SemanticIdCodec> source) {
        this.config = config;
        this.source = source;
        this.latest = bind(source.get());
    }

    /** A binding to a codec that never changes. */
    public static CatalogBinding fixed(GeneratorConfig config, SemanticIdCodec codec) {
        return new CatalogBinding(config, () -> codec);
    }

    /** The source's current snapshot (rebuilt here when it changed since the last call). */
    public Snapshot current() {
        SemanticIdCodec codec = source.get();
        Snapshot s = latest;
        if (s.codec() != codec) {
            // Two threads may both rebuild after an update; both results are equal and either may stay.
            s = bind(codec);
            latest = s;
        }
        return s;
    }

    private Snapshot bind(SemanticIdCodec codec) {
        if (codec == null) throw new IllegalArgumentException("the catalog source returned no codec");
        return new Snapshot(codec, new GeneratorTokens(config, codec), new ConstrainedBeamSearch(config, codec));
    }
}

package io.onerec.core.codec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * A catalog that changes while generators serve it: new items get SIDs from their embeddings, items are retired and
 * restored, all without refitting the codec (docs/catalog-updates.md).
 *
 * <p>Copy-on-write: every update builds a new immutable {@link ResidualCodec} (SID table and tries) and publishes it
 * with one atomic reference swap. A reader takes {@link #get()} once per request and works on that snapshot
 * throughout, so it never sees a half-updated trie; requests already running finish on the snapshot they started
 * with. Updates are serialised; each costs O(catalog log catalog) to rebuild the tries, so batch them
 * ({@link #add(float[][])} takes many items at once). Generators follow the catalog when given it as their codec
 * source (e.g. {@code new CpuGenerator(weights, catalog, threads)}).
 */
public final class LiveCatalog implements Supplier<ResidualCodec> {
    private static final Logger LOG = LoggerFactory.getLogger(LiveCatalog.class);
    private final AtomicReference<ResidualCodec> current;

    public LiveCatalog(ResidualCodec codec) {
        this.current = new AtomicReference<>(codec);
    }

    /** Loads a codec saved by {@link #save(Path)} or {@link ResidualCodec#save(Path)}. */
    public static LiveCatalog load(Path dir) {
        return new LiveCatalog(ResidualCodec.load(dir));
    }

    /** The current snapshot: immutable, safe to use for as long as the caller likes. */
    @Override
    public ResidualCodec get() {
        return current.get();
    }

    /**
     * Adds items, in order, with SIDs from their embeddings ({@link ResidualCodec#assignSid}); returns their new
     * item indices. All or nothing: when one item finds no free SID nothing is added.
     *
     * @throws IllegalStateException when an item finds no free SID (refit the codec)
     */
    public int[] add(float[][] embeddings) {
        ResidualCodec[] before = new ResidualCodec[1];
        ResidualCodec after = update(c -> {
            before[0] = c;
            return c.withNewItems(embeddings);
        });
        int first = before[0].itemCount();
        int[] ids = new int[embeddings.length];
        for (int i = 0; i < ids.length; i++) ids[i] = first + i;
        LOG.info("catalog: added {} items (now {}, {} retired)", ids.length, after.itemCount(), after.retiredItems().length);
        return ids;
    }

    /** Adds one item; returns its item index. */
    public int add(float[] embedding) {
        return add(new float[][]{embedding})[0];
    }

    /** Takes items out of decoding; their indices and SIDs stay reserved. */
    public void retire(int... items) {
        ResidualCodec after = update(c -> c.withRetired(items));
        LOG.info("catalog: retired {} items ({} retired in all)", items.length, after.retiredItems().length);
    }

    /** Makes retired items decodable again. */
    public void restore(int... items) {
        ResidualCodec after = update(c -> c.withRestored(items));
        LOG.info("catalog: restored {} items ({} retired in all)", items.length, after.retiredItems().length);
    }

    /** Writes the current snapshot as a codec checkpoint ({@link ResidualCodec#load} reads it back). */
    public void save(Path dir) {
        get().save(dir);
    }

    private synchronized ResidualCodec update(UnaryOperator<ResidualCodec> change) {
        ResidualCodec next = change.apply(current.get());
        current.set(next);
        return next;
    }
}

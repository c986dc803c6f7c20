package io.onerec.libtorch.generator;

import io.onerec.api.GeneratedSession;
import io.onerec.api.DecodingOptions;
import io.onerec.api.Generator;
import io.onerec.api.ItemFilter;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.UserHistory;
import io.onerec.api.generator.CatalogBinding;
import io.onerec.libtorch.NativeThreads;
import io.onerec.libtorch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * OneRec generator inference on LibTorch: the shared constrained beam search over {@link TorchStepDecoder}.
 *
 * <p>On CPU a call's users are split over up to {@link Torch#intraOpThreads()} threads (one search per chunk, each
 * thread with single-threaded natives, see {@link NativeThreads#serial()}), as the pure-Java backend splits them.
 *
 * <p>Thread safety: weights are only read during inference and every call has its own caches, so concurrent
 * {@code generateBatch} calls are safe; LibTorch's ops are re-entrant for read-only tensors. Given a changing catalog
 * as its codec source, each request decodes against the snapshot current when it starts.
 */
public final class TorchGenerator implements Generator {
    /** Users decoded together in one batched search; bounds the memory of the KV caches. */
    private static final int USERS_PER_BATCH = 64;
    /** Beam slots (users x beam width) decoded together at most, unless one user's beam is wider. */
    private static final int MAX_SLOTS_PER_BATCH = 4096;
    /** Decoding threads shared by all generators (daemon; idle ones end after a minute). */
    private static final java.util.concurrent.ExecutorService POOL = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "onerec-torch-generator");
        t.setDaemon(true);
        return t;
    });

    private final TorchGeneratorModel model;
    private final CatalogBinding catalog;
    private volatile boolean closed;

    public TorchGenerator(TorchGeneratorModel model, SemanticIdCodec codec) {
        this(model, () -> codec);
    }

    /** A generator over a catalog that may change while it serves (e.g. {@code LiveCatalog}). */
    public TorchGenerator(TorchGeneratorModel model, Supplier<? extends SemanticIdCodec> catalog) {
        this(model, catalog, Torch.Precision.fromSystemProperty());
    }

    /**
     * @param precision of the decoder's matrix products ({@link Torch#autocast}); the default constructors read
     *                  {@value Torch#PRECISION_PROPERTY} (fp32 unless set)
     */
    public TorchGenerator(TorchGeneratorModel model, Supplier<? extends SemanticIdCodec> catalog, Torch.Precision precision) {
        this(model, catalog, precision, Torch.intraOpThreads());
    }

    /**
     * @param threads users of one call are split over up to this many threads on CPU, each decoding its share with
     *                single-threaded natives (as the pure-Java backend splits them); 1 = every chunk on the calling
     *                thread with LibTorch's intra-op threads. The other constructors use {@link Torch#intraOpThreads()}.
     */
    public TorchGenerator(TorchGeneratorModel model, Supplier<? extends SemanticIdCodec> catalog, Torch.Precision precision, int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.model = model;
        this.catalog = new CatalogBinding(model.config(), catalog);
        this.precision = java.util.Objects.requireNonNull(precision, "precision");
        this.threads = threads;
    }

    private final Torch.Precision precision;
    private final int threads;

    public Torch.Precision precision() {
        return precision;
    }

    public static TorchGenerator load(Path dir, SemanticIdCodec codec) {
        return new TorchGenerator(TorchGeneratorModel.load(dir), codec);
    }

    public TorchGeneratorModel model() {
        return model;
    }

    @Override
    public List<List<GeneratedSession>> generateBatch(List<UserHistory> users, DecodingOptions config) {
        return generateBatch(users, config, null);
    }

    /** Per-user filters ride along with their users into the same batched searches. */
    @Override
    public List<List<GeneratedSession>> generateBatch(List<UserHistory> users, DecodingOptions config, List<ItemFilter> userFilters) {
        java.util.Objects.requireNonNull(users, "users must not be null");
        java.util.Objects.requireNonNull(config, "decoding options must not be null");
        if (userFilters != null && userFilters.size() != users.size()) {
            throw new IllegalArgumentException(userFilters.size() + " user filters for " + users.size() + " users");
        }
        if (closed) throw new IllegalStateException("generator is closed");
        CatalogBinding.Snapshot snapshot = catalog.current(); // one catalog snapshot for the whole request
        // Wide beams get fewer users per search, so the slots (and KV caches) of one search stay bounded.
        int perChunk = Math.max(1, Math.min(USERS_PER_BATCH, MAX_SLOTS_PER_BATCH / config.beamWidth()));
        // On CPU, split a small batch evenly over the threads, as the pure-Java backend does: each thread runs its
        // users' search with single-threaded natives. Small products do not get faster split over cores (OpenBLAS
        // threading made them several times slower), independent users do. (Large ones too, in one measurement: d512 beam 128
        // split 8.2-8.6 users/s against 6.1 as one search with LibTorch's threads, with a since-reverted decoder.)
        boolean parallel = threads > 1 && users.size() > 1 && !Torch.isCuda();
        if (parallel) perChunk = Math.min(perChunk, (users.size() + threads - 1) / threads);
        io.onerec.api.generator.UserChunks split = io.onerec.api.generator.UserChunks.split(users, userFilters, perChunk);
        List<List<UserHistory>> chunks = split.users();
        List<List<ItemFilter>> chunkFilters = split.filters();
        List<List<List<GeneratedSession>>> results = new ArrayList<>(java.util.Collections.nCopies(chunks.size(), null));
        if (!parallel || chunks.size() == 1) {
            for (int i = 0; i < chunks.size(); i++) results.set(i, searchChunk(snapshot, chunks.get(i), config, chunkFilters.get(i)));
        } else {
            // Worker w (0 = the caller) searches chunks w, w + workers, ...
            int workers = Math.min(threads, chunks.size());
            List<java.util.concurrent.Future<?>> futures = new ArrayList<>();
            for (int w = 1; w < workers; w++) {
                int first = w;
                try {
                    futures.add(POOL.submit(() -> searchChunks(snapshot, chunks, chunkFilters, config, first, workers, results)));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    throw new IllegalStateException("cannot start a decoding thread", e);
                }
            }
            boolean ownDone = false;
            try {
                searchChunks(snapshot, chunks, chunkFilters, config, 0, workers, results);
                ownDone = true;
            } finally {
                // Wait for the workers either way (their tensors must not outlive the call); report the first failure.
                for (java.util.concurrent.Future<?> f : futures) {
                    if (ownDone) join(f);
                    else awaitQuietly(f);
                }
            }
        }
        List<List<GeneratedSession>> out = new ArrayList<>(users.size());
        for (List<List<GeneratedSession>> r : results) out.addAll(r);
        return out;
    }

    /** One worker's share of a parallel call, with single-threaded natives on this thread. */
    private void searchChunks(CatalogBinding.Snapshot snapshot, List<List<UserHistory>> chunks, List<List<ItemFilter>> filters,
                              DecodingOptions config, int first, int step, List<List<List<GeneratedSession>>> results) {
        try (Torch.Scope serial = NativeThreads.serial()) {
            for (int i = first; i < chunks.size(); i += step) results.set(i, searchChunk(snapshot, chunks.get(i), config, filters.get(i)));
        }
    }

    private List<List<GeneratedSession>> searchChunk(CatalogBinding.Snapshot snapshot, List<UserHistory> chunk, DecodingOptions config,
                                                     List<ItemFilter> filters) {
        long t0 = DecodeProfile.start(), mark = DecodeProfile.ENABLED ? DecodeProfile.decoderNanos() : 0;
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard();
             Torch.Scope cast = Torch.autocast(precision)) {
            return snapshot.search().search(new TorchStepDecoder(model, snapshot.tokens()), chunk, config, filters);
        } finally {
            DecodeProfile.endCall(t0, mark);
        }
    }

    private static void awaitQuietly(java.util.concurrent.Future<?> f) {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            // the caller's own failure is the one reported
        }
    }

    private static void join(java.util.concurrent.Future<?> f) {
        try {
            f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while decoding", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            if (e.getCause() instanceof Error err) throw err;
            throw new IllegalStateException(e.getCause());
        }
    }

    @Override
    public SemanticIdCodec codec() {
        return catalog.current().codec();
    }

    @Override
    public void save(Path dir) {
        model.save(dir);
    }

    /**
     * Marks the generator closed: later calls fail with an IllegalStateException. The weights belong to the model,
     * which callers may still use (e.g. for training), so they are not freed here. Idempotent and thread-safe.
     */
    @Override
    public void close() {
        closed = true;
    }
}

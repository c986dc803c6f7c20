package io.onerec.cpu.generator;

import io.onerec.api.GeneratedSession;
import io.onerec.api.DecodingOptions;
import io.onerec.api.Generator;
import io.onerec.api.ItemFilter;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.UserHistory;
import io.onerec.api.generator.CatalogBinding;
import io.onerec.api.generator.ConstrainedBeamSearch;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.core.vector.KernelProvider;
import io.onerec.core.vector.Kernels;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * OneRec generator inference in pure Java: the shared {@link ConstrainedBeamSearch} over {@link CpuStepDecoder},
 * reading checkpoints written by any backend.
 *
 * <p>A batch is cut into chunks of users; each chunk is one beam search whose slots share every GEMM, and chunks
 * run on up to {@code threads} threads. Thread-safe: the weights are immutable and every chunk owns its caches.
 * Given a changing catalog as its codec source, each request decodes against the snapshot current when it starts.
 */
public final class CpuGenerator implements Generator {
    private static final Logger LOG = LoggerFactory.getLogger(CpuGenerator.class);
    /** Beam slots per chunk: big enough for efficient GEMMs, small enough to keep the KV cache in cache-friendly sizes. */
    private static final int MAX_SLOTS_PER_CHUNK = 1024;

    private final GeneratorWeights weights;
    private final CatalogBinding catalog;
    private final int threads;
    private final ExecutorService pool;
    private final java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();

    public CpuGenerator(GeneratorWeights weights, SemanticIdCodec codec, int threads) {
        this(weights, () -> codec, threads);
    }

    /**
     * A generator over a catalog that may change while it serves (e.g. {@code LiveCatalog}): every request reads
     * the source once and decodes against that snapshot.
     */
    public CpuGenerator(GeneratorWeights weights, Supplier<? extends SemanticIdCodec> catalog, int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.weights = weights;
        this.catalog = new CatalogBinding(weights.config(), catalog);
        this.threads = threads;
        this.pool = threads > 1 ? Executors.newFixedThreadPool(threads - 1, r -> {
            Thread t = new Thread(r, "onerec-cpu-generator");
            t.setDaemon(true);
            return t;
        }) : null;
    }

    /** Loads a checkpoint with the kernels chosen at startup and one thread per core. */
    public static CpuGenerator load(Path dir, SemanticIdCodec codec) {
        return load(dir, codec, KernelProvider.get(), Runtime.getRuntime().availableProcessors());
    }

    public static CpuGenerator load(Path dir, SemanticIdCodec codec, Kernels kernels, int threads) {
        GeneratorWeights w = GeneratorWeights.load(dir, kernels);
        LOG.info("loaded generator {} from {} ({} kernels, {} threads)", w.config(), dir, kernels.name(), threads);
        return new CpuGenerator(w, codec, threads);
    }

    public GeneratorConfig config() {
        return weights.config();
    }

    public GeneratorWeights weights() {
        return weights;
    }

    /**
     * A step decoder over the current catalog snapshot, e.g. to drive {@link ConstrainedBeamSearch} or inspect
     * log-probabilities directly.
     */
    public CpuStepDecoder stepDecoder() {
        return new CpuStepDecoder(weights, catalog.current().tokens());
    }

    @Override
    public List<List<GeneratedSession>> generateBatch(List<UserHistory> users, DecodingOptions config) {
        return generateBatch(users, config, null);
    }

    /** Per-user filters ride along with their users into the same chunks, so restricted users still share GEMMs. */
    @Override
    public List<List<GeneratedSession>> generateBatch(List<UserHistory> users, DecodingOptions config, List<ItemFilter> userFilters) {
        java.util.Objects.requireNonNull(users, "users must not be null");
        java.util.Objects.requireNonNull(config, "decoding options must not be null");
        if (userFilters != null && userFilters.size() != users.size()) {
            throw new IllegalArgumentException(userFilters.size() + " user filters for " + users.size() + " users");
        }
        requireOpen();
        // One snapshot for the whole request: every chunk decodes against the same catalog.
        CatalogBinding.Snapshot snapshot = catalog.current();
        ConstrainedBeamSearch search = snapshot.search();
        CpuStepDecoder decoder = new CpuStepDecoder(weights, snapshot.tokens());
        int perChunk = Math.max(1, MAX_SLOTS_PER_CHUNK / config.beamWidth());
        // Split evenly over the threads when the batch is small, so both cores work on a few users too.
        perChunk = Math.min(perChunk, Math.max(1, (users.size() + threads - 1) / threads));
        io.onerec.api.generator.UserChunks split = io.onerec.api.generator.UserChunks.split(users, userFilters, perChunk);
        List<List<UserHistory>> chunks = split.users();
        List<List<ItemFilter>> chunkFilters = split.filters();
        List<List<List<GeneratedSession>>> results = new ArrayList<>(chunks.size());
        if (pool == null || chunks.size() == 1) {
            for (int i = 0; i < chunks.size(); i++) results.add(search.search(decoder, chunks.get(i), config, chunkFilters.get(i)));
        } else {
            // Chunk i goes to the pool except every threads-th one, which the caller runs itself.
            List<CompletableFuture<List<List<GeneratedSession>>>> futures = new ArrayList<>(chunks.size());
            for (int i = 0; i < chunks.size(); i++) {
                List<UserHistory> chunk = chunks.get(i);
                List<ItemFilter> filters = chunkFilters.get(i);
                try {
                    futures.add(i % threads == 0 ? null : CompletableFuture.supplyAsync(() -> search.search(decoder, chunk, config, filters), pool));
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    throw new IllegalStateException("generator was closed during the call", e);
                }
            }
            List<List<List<GeneratedSession>>> own = new ArrayList<>();
            for (int i = 0; i < chunks.size(); i++) own.add(i % threads == 0 ? search.search(decoder, chunks.get(i), config, chunkFilters.get(i)) : null);
            for (int i = 0; i < chunks.size(); i++) {
                results.add(futures.get(i) == null ? own.get(i) : join(futures.get(i)));
            }
        }
        List<List<GeneratedSession>> out = new ArrayList<>(users.size());
        for (List<List<GeneratedSession>> r : results) out.addAll(r);
        return out;
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof RuntimeException re) throw re;
            if (e.getCause() instanceof Error err) throw err;
            throw e;
        }
    }

    @Override
    public SemanticIdCodec codec() {
        return catalog.current().codec();
    }

    @Override
    public void save(Path dir) {
        weights.save(dir);
    }

    private void requireOpen() {
        if (closed.get()) throw new IllegalStateException("generator is closed");
    }

    /** Stops the worker threads; idempotent and thread-safe. Later calls fail with an IllegalStateException. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && pool != null) pool.shutdownNow();
    }
}

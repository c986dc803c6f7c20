package io.onerec.libtorch.generator;

import io.onerec.api.GeneratedSession;
import io.onerec.api.DecodingOptions;
import io.onerec.api.Generator;
import io.onerec.api.ItemFilter;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.UserHistory;
import io.onerec.api.generator.CatalogBinding;
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
 * <p>Thread safety: weights are only read during inference and every call has its own caches, so concurrent
 * {@code generateBatch} calls are safe; LibTorch's ops are re-entrant for read-only tensors. Given a changing catalog
 * as its codec source, each request decodes against the snapshot current when it starts.
 */
public final class TorchGenerator implements Generator {
    /** Users decoded together in one batched search; bounds the memory of the KV caches. */
    private static final int USERS_PER_BATCH = 64;
    /** Beam slots (users x beam width) decoded together at most, unless one user's beam is wider. */
    private static final int MAX_SLOTS_PER_BATCH = 4096;

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
        this.model = model;
        this.catalog = new CatalogBinding(model.config(), catalog);
        this.precision = java.util.Objects.requireNonNull(precision, "precision");
    }

    private final Torch.Precision precision;

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
        List<List<GeneratedSession>> out = new ArrayList<>(users.size());
        // Wide beams get fewer users per search, so the slots (and KV caches) of one search stay bounded.
        int perBatch = Math.max(1, Math.min(USERS_PER_BATCH, MAX_SLOTS_PER_BATCH / config.beamWidth()));
        for (int from = 0; from < users.size(); from += perBatch) {
            int to = Math.min(users.size(), from + perBatch);
            List<UserHistory> chunk = users.subList(from, to);
            List<ItemFilter> filters = userFilters == null ? null : userFilters.subList(from, to);
            long t0 = DecodeProfile.start(), mark = DecodeProfile.ENABLED ? DecodeProfile.decoderNanos() : 0;
            try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard();
                 Torch.Scope cast = Torch.autocast(precision)) {
                out.addAll(snapshot.search().search(new TorchStepDecoder(model, snapshot.tokens()), chunk, config, filters));
            }
            DecodeProfile.endCall(t0, mark);
        }
        return out;
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

package io.onerec.libtorch.generator;

import io.onerec.api.GeneratedSession;
import io.onerec.api.DecodingOptions;
import io.onerec.api.Generator;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.UserHistory;
import io.onerec.api.generator.ConstrainedBeamSearch;
import io.onerec.api.generator.GeneratorTokens;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * OneRec generator inference on LibTorch: the shared constrained beam search over {@link TorchStepDecoder}.
 *
 * <p>Thread safety: weights are only read during inference and every call has its own caches, so concurrent
 * {@code generateBatch} calls are safe; LibTorch's ops are re-entrant for read-only tensors.
 */
public final class TorchGenerator implements Generator {
    /** Users decoded together in one batched search; bounds the memory of the KV caches. */
    private static final int USERS_PER_BATCH = 64;

    private final TorchGeneratorModel model;
    private final SemanticIdCodec codec;
    private final GeneratorTokens vocab;
    private final ConstrainedBeamSearch search;

    public TorchGenerator(TorchGeneratorModel model, SemanticIdCodec codec) {
        this.model = model;
        this.codec = codec;
        this.vocab = new GeneratorTokens(model.config(), codec);
        this.search = new ConstrainedBeamSearch(model.config(), codec);
    }

    public static TorchGenerator load(Path dir, SemanticIdCodec codec) {
        return new TorchGenerator(TorchGeneratorModel.load(dir), codec);
    }

    public TorchGeneratorModel model() {
        return model;
    }

    @Override
    public List<List<GeneratedSession>> generateBatch(List<UserHistory> users, DecodingOptions config) {
        List<List<GeneratedSession>> out = new ArrayList<>(users.size());
        for (int from = 0; from < users.size(); from += USERS_PER_BATCH) {
            List<UserHistory> chunk = users.subList(from, Math.min(users.size(), from + USERS_PER_BATCH));
            long t0 = DecodeProfile.start(), mark = DecodeProfile.ENABLED ? DecodeProfile.decoderNanos() : 0;
            try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
                out.addAll(search.search(new TorchStepDecoder(model, vocab), chunk, config));
            }
            DecodeProfile.endCall(t0, mark);
        }
        return out;
    }

    @Override
    public SemanticIdCodec codec() {
        return codec;
    }

    @Override
    public void save(Path dir) {
        model.save(dir);
    }
}

package io.onerec.libtorch.reasoner;

import io.onerec.api.reasoner.DecodingState;
import io.onerec.libtorch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

/** {@link DecodingState} of a {@link TorchQwenModel}: a {@link TorchKvCache} plus the last logits copied to the heap. */
final class TorchDecodingState implements DecodingState {
    private final TorchQwenModel model;
    private final TorchKvCache cache;
    private final int vocab;
    private int rows;
    private float[] logits;

    private TorchDecodingState(TorchQwenModel model, int rows) {
        this.model = model;
        this.cache = new TorchKvCache(model.config().numLayers());
        this.vocab = model.vocabSize();
        this.rows = rows;
    }

    static TorchDecodingState start(TorchQwenModel model, int[] prefix, int rows) {
        if (prefix.length == 0) throw new IllegalArgumentException("decoding needs a non-empty prefix");
        if (rows < 1) throw new IllegalArgumentException("rows must be >= 1, got " + rows);
        checkIds(prefix, model.vocabSize());
        TorchDecodingState s = new TorchDecodingState(model, 1);
        s.run(prefix, 1, prefix.length);
        if (rows > 1) s.select(new int[rows]);
        return s;
    }

    private static void checkIds(int[] ids, int vocab) {
        for (int id : ids) if (id < 0 || id >= vocab) throw new IllegalArgumentException("token id " + id + " outside [0, " + vocab + ")");
    }

    /** Runs tokens [rows, t] through the model with the cache and keeps the logits of the last position. */
    private void run(int[] ids, int rows, int t) {
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            Tensor out = model.forward(Torch.longs(ids, rows, t), cache);
            logits = Torch.toFloats(out.select(1, t - 1).contiguous());
        }
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int length() {
        return (int) cache.length();
    }

    @Override
    public float[] logits() {
        return logits;
    }

    @Override
    public void append(int[] tokens) {
        if (tokens.length != rows) throw new IllegalArgumentException(tokens.length + " tokens for " + rows + " rows");
        checkIds(tokens, vocab);
        run(tokens, rows, 1);
    }

    @Override
    public void select(int[] keep) {
        if (keep.length == 0) throw new IllegalArgumentException("select needs at least one row");
        float[] next = new float[keep.length * vocab];
        for (int i = 0; i < keep.length; i++) {
            if (keep[i] < 0 || keep[i] >= rows) throw new IllegalArgumentException("row " + keep[i] + " outside [0, " + rows + ")");
            System.arraycopy(logits, keep[i] * vocab, next, i * vocab, vocab);
        }
        try (PointerScope scope = new PointerScope()) {
            cache.select(Torch.longs(keep, keep.length));
        }
        logits = next;
        rows = keep.length;
    }

    @Override
    public void close() {
        cache.close();
    }
}

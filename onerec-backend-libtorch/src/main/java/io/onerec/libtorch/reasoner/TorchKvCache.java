package io.onerec.libtorch.reasoner;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

/**
 * Per-layer rotated keys and grouped values [B, Hkv, length, dh] of the tokens a {@link TorchDecodingState} has
 * consumed. The tensors outlive the PointerScope of the step that made them: each kept tensor holds one extra
 * reference, released when it is replaced or the cache is closed.
 */
final class TorchKvCache implements AutoCloseable {
    private final Tensor[][] kv;   // [layer][0 = keys, 1 = values]
    private long length;

    TorchKvCache(int layers) {
        kv = new Tensor[layers][2];
    }

    long length() {
        return length;
    }

    /** Concatenates this step's keys or values to the cached ones and keeps the result; returns it. */
    Tensor append(int layer, int which, Tensor fresh) {
        Tensor old = kv[layer][which];
        Tensor all = old == null ? fresh.contiguous() : torch.cat(new TensorVector(old, fresh), 2);
        keep(layer, which, all);
        return all;
    }

    void advance(long tokens) {
        length += tokens;
    }

    /** Keeps rows {@code index} (int64 [n]) of every cached tensor, in that order. */
    void select(Tensor index) {
        for (int l = 0; l < kv.length; l++) {
            for (int w = 0; w < 2; w++) keep(l, w, kv[l][w].index_select(0, index));
        }
    }

    private void keep(int layer, int which, Tensor t) {
        t.retainReference();
        Tensor old = kv[layer][which];
        kv[layer][which] = t;
        if (old != null) old.releaseReference();
    }

    @Override
    public void close() {
        for (Tensor[] layer : kv) {
            for (int w = 0; w < 2; w++) {
                if (layer[w] != null) layer[w].releaseReference();
                layer[w] = null;
            }
        }
    }
}

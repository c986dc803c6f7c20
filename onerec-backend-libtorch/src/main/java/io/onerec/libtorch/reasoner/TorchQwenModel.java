package io.onerec.libtorch.reasoner;

import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.api.checkpoint.HostTensor;
import io.onerec.api.checkpoint.JsonConfig;
import io.onerec.api.checkpoint.SafeTensors;
import io.onerec.api.reasoner.DecodingState;
import io.onerec.api.reasoner.LanguageModel;
import io.onerec.api.reasoner.QwenCheckpoint;
import io.onerec.api.reasoner.QwenConfig;
import io.onerec.libtorch.ParameterTable;
import io.onerec.libtorch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * A Qwen2/Qwen3-style decoder-only LM (RMSNorm, RoPE, grouped-query attention, SwiGLU) on LibTorch, written
 * functionally over a table of parameters named exactly as in Hugging Face checkpoints, so loading a real Qwen
 * checkpoint and saving ours is a copy with no renaming.
 */
public final class TorchQwenModel implements LanguageModel {
    private static final double INIT_STD = 0.02;

    private QwenConfig config;
    private final ParameterTable params;

    private TorchQwenModel(QwenConfig config, ParameterTable params) {
        this.config = config;
        this.params = params;
    }

    public QwenConfig config() {
        return config;
    }

    @Override
    public int vocabSize() {
        return config.vocabSize();
    }

    /** Incremental decoding with a key/value cache, without gradients (sampling, beam search, GRPO rollouts). */
    @Override
    public DecodingState start(int[] prefix, int rows) {
        return TorchDecodingState.start(this, prefix, rows);
    }

    /** Fresh weights: N(0, 0.02) matrices, zero biases, unit norms. */
    public static TorchQwenModel initialize(QwenConfig config, long seed) {
        Torch.seed(seed);
        return new TorchQwenModel(config, ParameterTable.initialize(config.parameterShapes(), INIT_STD));
    }

    /**
     * Loads a Hugging Face checkpoint directory: {@code config.json} and one or more {@code *.safetensors} files
     * (sharded checkpoints are merged). Every expected tensor's presence and shape is checked; BF16/F16 weights
     * are widened to float32.
     */
    public static TorchQwenModel load(Path dir) {
        QwenCheckpoint ckpt = QwenCheckpoint.read(dir);
        return new TorchQwenModel(ckpt.config(), ParameterTable.fromHost(ckpt.tensors(), ckpt.config().parameterShapes(), dir));
    }

    /** Writes {@code config.json} (HF keys) and {@code model.safetensors} (HF tensor names). */
    @Override
    public void save(Path dir) {
        toCheckpoint().write(dir);
    }

    /** A host copy of the current weights (e.g. for the pure-Java backend to decode with). */
    public QwenCheckpoint toCheckpoint() {
        try (PointerScope scope = new PointerScope()) {
            return new QwenCheckpoint(config, params.toHost());
        }
    }

    /**
     * Appends {@code added} token rows to the embedding (and to the untied lm_head); see {@link #initializeNewTokens}.
     */
    public void extendVocabulary(int added, long seed) {
        if (added < 0) throw new IllegalArgumentException("cannot add " + added + " tokens");
        initializeNewTokens(config.vocabSize(), config.vocabSize() + added, seed);
    }

    /**
     * Makes rows {@code [firstNew, vocabSize)} of the embedding (and untied lm_head) fresh rows for new tokens,
     * growing the matrices when {@code vocabSize} exceeds the current size. Each new row is the mean of rows
     * {@code [0, firstNew)} plus small Gaussian noise, so new tokens start as "an average token" rather than as an
     * outlier that dominates the softmax. Rows past the tokenizer's range that a checkpoint pads its embedding with
     * (Qwen pads to a multiple of 128) are reused the same way.
     */
    public void initializeNewTokens(int firstNew, int vocabSize, long seed) {
        if (firstNew < 1 || firstNew > config.vocabSize() || vocabSize < firstNew) {
            throw new IllegalArgumentException("new token rows [" + firstNew + ", " + vocabSize + ") do not fit a vocabulary of " + config.vocabSize());
        }
        if (vocabSize == firstNew) return;
        int size = Math.max(vocabSize, config.vocabSize());
        Random r = new Random(seed);
        // The kept tensors get an extra reference: the new weights must outlive any PointerScope of the caller.
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            for (String name : config.tieWordEmbeddings() ? List.of("model.embed_tokens.weight") : List.of("model.embed_tokens.weight", "lm_head.weight")) {
                Tensor old = params.get(name);
                long d = old.size(1);
                Tensor known = old.narrow(0, 0, firstNew);
                float[] mean = Torch.toFloats(known.mean(new long[]{0}, false, new ScalarTypeOptional()));
                float std = (float) Math.max(1e-4, known.std().item_float() * 0.1);
                int added = vocabSize - firstNew;
                float[] rows = new float[(int) (added * d)];
                for (int i = 0; i < added; i++) {
                    for (int j = 0; j < d; j++) rows[(int) (i * d + j)] = mean[j] + std * (float) r.nextGaussian();
                }
                TensorVector parts = new TensorVector(known.detach(), Torch.floats(rows, added, d));
                if (vocabSize < config.vocabSize()) parts.push_back(old.detach().narrow(0, vocabSize, config.vocabSize() - vocabSize));
                Tensor kept = torch.cat(parts, 0).detach().clone();
                kept.retainReference();
                kept.set_requires_grad(true);
                params.put(name, kept);
            }
        }
        config = config.withVocabSize(size);
    }

    public TensorVector parameters() {
        return params.parameters();
    }

    public List<Tensor> parameterList() {
        return params.list();
    }

    public long parameterCount() {
        return params.count();
    }

    Tensor p(String name) {
        return params.get(name);
    }

    // ---------------------------------------------------------------- forward

    /** Token ids [B, T] (int64) -> next-token logits [B, T, V], causal attention, positions 0..T-1. */
    public Tensor forward(Tensor ids) {
        return forward(ids, null);
    }

    /**
     * Token ids [B, T] at positions {@code cache.length() .. cache.length() + T - 1} -> logits [B, T, V]; attends to
     * the cached keys/values and appends this call's to the cache (null: no cache, positions from 0).
     */
    Tensor forward(Tensor ids, TorchKvCache cache) {
        long b = ids.size(0), t = ids.size(1), past = cache == null ? 0 : cache.length();
        QwenConfig c = config;
        Tensor x = p("model.embed_tokens.weight").index_select(0, ids.view(-1)).view(b, t, c.hiddenSize());
        Tensor[] rope = ropeTables(past, t);
        // One new token attends to everything cached: no mask. Several new tokens must not see later new tokens.
        Tensor causal = null;
        if (t > 1) {
            long keys = past + t;
            boolean[] future = new boolean[(int) (t * keys)];
            for (int i = 0; i < t; i++) for (long j = past + i + 1; j < keys; j++) future[(int) (i * keys + j)] = true;
            causal = Torch.bools(future, 1, 1, t, keys);
        }
        for (int i = 0; i < c.numLayers(); i++) {
            String pre = "model.layers." + i + ".";
            Tensor h = rmsNorm(x, p(pre + "input_layernorm.weight"));
            x = x.add(attention(h, pre + "self_attn.", rope, causal, cache, i));
            h = rmsNorm(x, p(pre + "post_attention_layernorm.weight"));
            Tensor gate = linear(h, p(pre + "mlp.gate_proj.weight"));
            Tensor up = linear(h, p(pre + "mlp.up_proj.weight"));
            x = x.add(linear(gate.mul(gate.sigmoid()).mul(up), p(pre + "mlp.down_proj.weight")));
        }
        if (cache != null) cache.advance(t);
        x = rmsNorm(x, p("model.norm.weight"));
        return linear(x, config.tieWordEmbeddings() ? p("model.embed_tokens.weight") : p("lm_head.weight"));
    }

    private Tensor attention(Tensor h, String pre, Tensor[] rope, Tensor causal, TorchKvCache cache, int layer) {
        QwenConfig c = config;
        long b = h.size(0), t = h.size(1), dh = c.headDim();
        Tensor q = linear(h, p(pre + "q_proj.weight")), k = linear(h, p(pre + "k_proj.weight")), v = linear(h, p(pre + "v_proj.weight"));
        if (c.attentionBias()) {
            q = q.add(p(pre + "q_proj.bias"));
            k = k.add(p(pre + "k_proj.bias"));
            v = v.add(p(pre + "v_proj.bias"));
        }
        q = q.view(b, t, c.numHeads(), dh);
        k = k.view(b, t, c.numKvHeads(), dh);
        v = v.view(b, t, c.numKvHeads(), dh);
        if (c.qkNorm()) {
            q = rmsNorm(q, p(pre + "q_norm.weight"));
            k = rmsNorm(k, p(pre + "k_norm.weight"));
        }
        q = rotate(q.transpose(1, 2), rope);
        k = rotate(k.transpose(1, 2), rope);
        v = v.transpose(1, 2);
        if (cache != null) {
            // The cache keeps the grouped (not repeated) keys/values, already rotated: [B, Hkv, past + t, dh].
            k = cache.append(layer, 0, k);
            v = cache.append(layer, 1, v);
        }
        long keys = k.size(2);
        if (c.kvGroups() > 1) {
            // HF repeat_kv: query head h reads key/value head h / groups.
            k = k.unsqueeze(2).expand(b, c.numKvHeads(), c.kvGroups(), keys, dh).reshape(b, c.numHeads(), keys, dh);
            v = v.unsqueeze(2).expand(b, c.numKvHeads(), c.kvGroups(), keys, dh).reshape(b, c.numHeads(), keys, dh);
        }
        Tensor scores = q.matmul(k.transpose(-2, -1)).mul(Torch.scalar(1.0 / Math.sqrt(dh)));
        if (causal != null) scores = scores.masked_fill(causal, Torch.scalar(Double.NEGATIVE_INFINITY));
        Tensor a = scores.softmax(-1).matmul(v).transpose(1, 2).contiguous().view(b, t, (long) c.numHeads() * dh);
        return linear(a, p(pre + "o_proj.weight"));
    }

    /** cos and sin tables [T, head_dim] of positions from .. from + T - 1, HF layout (frequencies repeated over both halves). */
    private Tensor[] ropeTables(long from, long t) {
        int dh = config.headDim(), half = dh / 2;
        float[] cos = new float[(int) (t * dh)], sin = new float[(int) (t * dh)];
        for (int pos = 0; pos < t; pos++) {
            for (int i = 0; i < half; i++) {
                double invFreq = 1.0 / Math.pow(config.ropeTheta(), (2.0 * i) / dh);
                double angle = (from + pos) * invFreq;
                cos[pos * dh + i] = cos[pos * dh + i + half] = (float) Math.cos(angle);
                sin[pos * dh + i] = sin[pos * dh + i + half] = (float) Math.sin(angle);
            }
        }
        return new Tensor[]{Torch.floats(cos, t, dh), Torch.floats(sin, t, dh)};
    }

    /** x [B, H, T, dh] -> x cos + rotate_half(x) sin. */
    private Tensor rotate(Tensor x, Tensor[] rope) {
        long half = config.headDim() / 2;
        Tensor rotated = torch.cat(new TensorVector(x.narrow(-1, half, half).neg(), x.narrow(-1, 0, half)), -1);
        return x.mul(rope[0]).add(rotated.mul(rope[1]));
    }

    private Tensor rmsNorm(Tensor x, Tensor weight) {
        Tensor ms = x.pow(Torch.scalar(2)).mean(new long[]{-1}, true, new ScalarTypeOptional());
        return x.mul(ms.add(Torch.scalar(config.rmsNormEps())).rsqrt()).mul(weight);
    }

    private static Tensor linear(Tensor x, Tensor w) {
        return x.matmul(w.t());
    }
}

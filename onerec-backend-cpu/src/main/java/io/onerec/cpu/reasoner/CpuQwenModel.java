package io.onerec.cpu.reasoner;

import io.onerec.api.checkpoint.HostTensor;
import io.onerec.api.reasoner.DecodingState;
import io.onerec.api.reasoner.LanguageModel;
import io.onerec.api.reasoner.QwenCheckpoint;
import io.onerec.api.reasoner.QwenConfig;
import io.onerec.core.vector.KernelProvider;
import io.onerec.core.vector.Kernels;
import io.onerec.core.vector.PackedMatrix;

import java.nio.file.Path;
import java.util.Map;

/**
 * Pure-Java inference of a Qwen2/Qwen3-style decoder (the same checkpoint layout as the LibTorch {@code TorchQwenModel}):
 * RMSNorm, RoPE (rotate-half), grouped-query attention with optional q/k norm and q/k/v biases, SwiGLU. Weight
 * matrices are packed once for the {@link Kernels} GEMM (Panama or scalar, chosen at startup); Q, K and V are one
 * fused matrix, as are the gate and up projections. Decoding keeps a per-row key/value cache
 * ({@link CpuDecodingState}).
 *
 * <p>The checkpoint's tensors are kept for {@link #save}, so the model holds its weights twice (packed and as
 * loaded); fine for the small reasoners trained here, a known cost for billion-parameter checkpoints.
 */
public final class CpuQwenModel implements LanguageModel {
    final QwenConfig c;
    final Kernels k;
    final int d, dh, heads, kvHeads, qDim, kvDim, ff, vocab;
    final float[] embedding;
    final PackedMatrix lmHead;
    final Layer[] layers;
    final float[] finalNorm;
    /** RoPE inverse frequencies 1 / theta^(2i / dh), i < dh / 2, as in HF. */
    final double[] invFreq;
    private final QwenCheckpoint checkpoint;

    /** One decoder layer's weights; {@code qkvBias}, {@code qNorm}, {@code kNorm} are null when the layout has none. */
    record Layer(float[] inputNorm, PackedMatrix qkv, float[] qkvBias, float[] qNorm, float[] kNorm, PackedMatrix o,
                 float[] postNorm, PackedMatrix gateUp, PackedMatrix down) {
    }

    public CpuQwenModel(QwenCheckpoint checkpoint, Kernels kernels) {
        this.checkpoint = checkpoint;
        this.c = checkpoint.config();
        this.k = kernels;
        Map<String, HostTensor> w = checkpoint.tensors();
        d = c.hiddenSize();
        dh = c.headDim();
        heads = c.numHeads();
        kvHeads = c.numKvHeads();
        qDim = heads * dh;
        kvDim = kvHeads * dh;
        ff = c.intermediateSize();
        vocab = c.vocabSize();
        embedding = w.get("model.embed_tokens.weight").floats();
        lmHead = k.pack(c.tieWordEmbeddings() ? embedding : w.get("lm_head.weight").floats(), vocab, d);
        layers = new Layer[c.numLayers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "model.layers." + i + ".";
            String a = p + "self_attn.";
            PackedMatrix qkv = PackedMatrix.packStacked(new float[][]{f(w, a + "q_proj.weight"), f(w, a + "k_proj.weight"),
                    f(w, a + "v_proj.weight")}, d, k.panelWidth());
            float[] bias = null;
            if (c.attentionBias()) {
                bias = new float[qDim + 2 * kvDim];
                System.arraycopy(f(w, a + "q_proj.bias"), 0, bias, 0, qDim);
                System.arraycopy(f(w, a + "k_proj.bias"), 0, bias, qDim, kvDim);
                System.arraycopy(f(w, a + "v_proj.bias"), 0, bias, qDim + kvDim, kvDim);
            }
            PackedMatrix gateUp = PackedMatrix.packStacked(new float[][]{f(w, p + "mlp.gate_proj.weight"), f(w, p + "mlp.up_proj.weight")},
                    d, k.panelWidth());
            layers[i] = new Layer(f(w, p + "input_layernorm.weight"), qkv, bias,
                    c.qkNorm() ? f(w, a + "q_norm.weight") : null, c.qkNorm() ? f(w, a + "k_norm.weight") : null,
                    k.pack(f(w, a + "o_proj.weight"), d, qDim), f(w, p + "post_attention_layernorm.weight"), gateUp,
                    k.pack(f(w, p + "mlp.down_proj.weight"), d, ff));
        }
        finalNorm = f(w, "model.norm.weight");
        invFreq = new double[dh / 2];
        for (int i = 0; i < invFreq.length; i++) invFreq[i] = 1.0 / Math.pow(c.ropeTheta(), (2.0 * i) / dh);
    }

    private static float[] f(Map<String, HostTensor> w, String name) {
        return w.get(name).floats();
    }

    /** Reads a Hugging Face checkpoint directory (shapes checked against its config.json) with the startup kernels. */
    public static CpuQwenModel load(Path dir) {
        return new CpuQwenModel(QwenCheckpoint.read(dir), KernelProvider.get());
    }

    public QwenConfig config() {
        return c;
    }

    @Override
    public int vocabSize() {
        return vocab;
    }

    @Override
    public DecodingState start(int[] prefix, int rows) {
        return CpuDecodingState.start(this, prefix, rows);
    }

    @Override
    public void save(Path dir) {
        checkpoint.write(dir);
    }
}

package io.onerec.libtorch.reasoner;

import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.api.checkpoint.JsonConfig;

/**
 * Shape of a Qwen-style decoder-only LM, read from and written as a Hugging Face {@code config.json}.
 *
 * @param attentionBias q/k/v projections carry biases (Qwen2); Qwen3 has none
 * @param qkNorm        per-head RMSNorm on queries and keys before RoPE (Qwen3)
 */
public record QwenConfig(int vocabSize, int hiddenSize, int intermediateSize, int numLayers, int numHeads,
                         int numKvHeads, int headDim, double ropeTheta, double rmsNormEps, boolean tieWordEmbeddings,
                         boolean attentionBias, boolean qkNorm) {
    public QwenConfig {
        if (vocabSize < 1 || hiddenSize < 1 || intermediateSize < 1 || numLayers < 1 || numHeads < 1 || numKvHeads < 1 || headDim < 2) {
            throw new IllegalArgumentException("non-positive dimension in " + describe(vocabSize, hiddenSize, numLayers, numHeads, numKvHeads, headDim));
        }
        if (numHeads % numKvHeads != 0) {
            throw new IllegalArgumentException("num_attention_heads " + numHeads + " is not a multiple of num_key_value_heads " + numKvHeads);
        }
        if (headDim % 2 != 0) {
            throw new IllegalArgumentException("head_dim must be even for RoPE, got " + headDim);
        }
    }

    private static String describe(int v, int h, int l, int nh, int kv, int hd) {
        return "vocab=" + v + " hidden=" + h + " layers=" + l + " heads=" + nh + " kv_heads=" + kv + " head_dim=" + hd;
    }

    /** A tiny Qwen3-like shape for tests and the small models trained on this machine. */
    public static QwenConfig tiny(int vocabSize, int hidden, int layers, int heads, int kvHeads) {
        return new QwenConfig(vocabSize, hidden, hidden * 2, layers, heads, kvHeads, hidden / heads, 10000.0, 1e-6, true, false, true);
    }

    public int kvGroups() {
        return numHeads / numKvHeads;
    }

    public QwenConfig withVocabSize(int v) {
        return new QwenConfig(v, hiddenSize, intermediateSize, numLayers, numHeads, numKvHeads, headDim, ropeTheta, rmsNormEps,
                tieWordEmbeddings, attentionBias, qkNorm);
    }

    /** Reads HF keys; {@code model_type} "qwen2" implies q/k/v biases, "qwen3" implies q/k norm. */
    public static QwenConfig fromHf(JsonConfig c) {
        String type = c.getString("model_type", "qwen3");
        if (!type.equals("qwen2") && !type.equals("qwen3")) {
            throw new CheckpointException("unsupported model_type '" + type + "' (expected qwen2 or qwen3)");
        }
        int hidden = c.getInt("hidden_size");
        int heads = c.getInt("num_attention_heads");
        return new QwenConfig(c.getInt("vocab_size"), hidden, c.getInt("intermediate_size"), c.getInt("num_hidden_layers"),
                heads, c.getInt("num_key_value_heads", heads), c.getInt("head_dim", hidden / heads),
                c.getDouble("rope_theta", 10000.0), c.getDouble("rms_norm_eps", 1e-6),
                c.getBoolean("tie_word_embeddings", false),
                c.getBoolean("attention_bias", type.equals("qwen2")), type.equals("qwen3"));
    }

    public JsonConfig toHf() {
        return JsonConfig.builder()
                .put("architectures", java.util.List.of(qkNorm ? "Qwen3ForCausalLM" : "Qwen2ForCausalLM"))
                .put("model_type", qkNorm ? "qwen3" : "qwen2")
                .put("vocab_size", vocabSize).put("hidden_size", hiddenSize).put("intermediate_size", intermediateSize)
                .put("num_hidden_layers", numLayers).put("num_attention_heads", numHeads)
                .put("num_key_value_heads", numKvHeads).put("head_dim", headDim).put("rope_theta", ropeTheta)
                .put("rms_norm_eps", rmsNormEps).put("tie_word_embeddings", tieWordEmbeddings)
                .put("attention_bias", attentionBias).put("hidden_act", "silu")
                .build();
    }
}

package io.onerec.api.reasoner;

import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.api.checkpoint.CheckpointLimits;
import io.onerec.api.checkpoint.JsonConfig;

import java.util.LinkedHashMap;
import java.util.Map;

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
        CheckpointLimits.requireInRange("vocab_size", vocabSize, 1, CheckpointLimits.MAX_VOCABULARY);
        CheckpointLimits.requireInRange("hidden_size", hiddenSize, 1, CheckpointLimits.MAX_DIMENSION);
        CheckpointLimits.requireInRange("intermediate_size", intermediateSize, 1, CheckpointLimits.MAX_DIMENSION);
        CheckpointLimits.requireInRange("num_hidden_layers", numLayers, 1, CheckpointLimits.MAX_LAYERS);
        CheckpointLimits.requireInRange("num_attention_heads", numHeads, 1, CheckpointLimits.MAX_DIMENSION);
        CheckpointLimits.requireInRange("head_dim", headDim, 2, CheckpointLimits.MAX_DIMENSION);
        CheckpointLimits.requireFinitePositive("rope_theta", ropeTheta);
        CheckpointLimits.requireFinitePositive("rms_norm_eps", rmsNormEps);
    }

    private static String describe(int v, int h, int l, int nh, int kv, int hd) {
        return "vocab=" + v + " hidden=" + h + " layers=" + l + " heads=" + nh + " kv_heads=" + kv + " head_dim=" + hd;
    }

    /** A tiny Qwen3-like shape for tests and the small models trained on this machine. */
    public static QwenConfig tiny(int vocabSize, int hidden, int layers, int heads, int kvHeads) {
        return new QwenConfig(vocabSize, hidden, hidden * 2, layers, heads, kvHeads, hidden / heads, 10000.0, 1e-6, true, false, true);
    }

    /** Every parameter name with its shape, in HF order. */
    public Map<String, long[]> parameterShapes() {
        QwenConfig c = this;
        Map<String, long[]> s = new LinkedHashMap<>();
        long d = c.hiddenSize(), q = (long) c.numHeads() * c.headDim(), kv = (long) c.numKvHeads() * c.headDim();
        s.put("model.embed_tokens.weight", new long[]{c.vocabSize(), d});
        for (int i = 0; i < c.numLayers(); i++) {
            String p = "model.layers." + i + ".";
            s.put(p + "input_layernorm.weight", new long[]{d});
            s.put(p + "self_attn.q_proj.weight", new long[]{q, d});
            s.put(p + "self_attn.k_proj.weight", new long[]{kv, d});
            s.put(p + "self_attn.v_proj.weight", new long[]{kv, d});
            if (c.attentionBias()) {
                s.put(p + "self_attn.q_proj.bias", new long[]{q});
                s.put(p + "self_attn.k_proj.bias", new long[]{kv});
                s.put(p + "self_attn.v_proj.bias", new long[]{kv});
            }
            s.put(p + "self_attn.o_proj.weight", new long[]{d, q});
            if (c.qkNorm()) {
                s.put(p + "self_attn.q_norm.weight", new long[]{c.headDim()});
                s.put(p + "self_attn.k_norm.weight", new long[]{c.headDim()});
            }
            s.put(p + "post_attention_layernorm.weight", new long[]{d});
            s.put(p + "mlp.gate_proj.weight", new long[]{c.intermediateSize(), d});
            s.put(p + "mlp.up_proj.weight", new long[]{c.intermediateSize(), d});
            s.put(p + "mlp.down_proj.weight", new long[]{d, c.intermediateSize()});
        }
        s.put("model.norm.weight", new long[]{d});
        if (!c.tieWordEmbeddings()) s.put("lm_head.weight", new long[]{c.vocabSize(), d});
        return s;
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
        try {
            return fromHfKeys(c);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException("invalid Qwen config: " + e.getMessage(), e);
        }
    }

    private static QwenConfig fromHfKeys(JsonConfig c) {
        String type = c.getString("model_type", "qwen3");
        if (!type.equals("qwen2") && !type.equals("qwen3")) {
            throw new CheckpointException("unsupported model_type '" + type + "' (expected qwen2 or qwen3)");
        }
        int hidden = c.getInt("hidden_size");
        int heads = c.getInt("num_attention_heads");
        return new QwenConfig(c.getInt("vocab_size"), hidden, c.getInt("intermediate_size"), c.getInt("num_hidden_layers"),
                heads, c.getInt("num_key_value_heads", heads), c.getInt("head_dim", heads > 0 ? hidden / heads : 0),
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

package io.onerec.libtorch.baseline;

import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.api.checkpoint.JsonConfig;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Shape of a SASRec model (Kang and McAuley, 2018, as RecBole trains it with full-softmax cross-entropy): item
 * embeddings tied with the output layer, learned positional embeddings, post-LayerNorm causal self-attention blocks.
 *
 * @param items     catalog size; item {@code i} is embedding row {@code i + 1}, row 0 is padding
 * @param dim       hidden size
 * @param blocks    self-attention blocks
 * @param heads     attention heads (divides {@code dim})
 * @param ffnDim    inner size of the feed-forward layer
 * @param maxLength most recent items the model reads (positional embeddings)
 * @param dropout   dropout on embeddings, attention weights and block outputs (0.5 on Beauty in the SASRec paper)
 */
public record SasRecConfig(int items, int dim, int blocks, int heads, int ffnDim, int maxLength, double dropout,
                           boolean preNorm) {
    public static final double LAYER_NORM_EPS = 1e-12;

    public SasRecConfig {
        if (items < 1 || dim < 1 || blocks < 1 || heads < 1 || ffnDim < 1 || maxLength < 1) {
            throw new IllegalArgumentException("items, dim, blocks, heads, ffnDim and maxLength must be >= 1: " + this);
        }
        if (dim % heads != 0) throw new IllegalArgumentException("dim " + dim + " is not divisible by heads " + heads);
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
    }

    /** Post-LN blocks (RecBole's layout). */
    public SasRecConfig(int items, int dim, int blocks, int heads, int ffnDim, int maxLength, double dropout) {
        this(items, dim, blocks, heads, ffnDim, maxLength, dropout, false);
    }

    /** The usual Beauty setting: d=64, 2 blocks, 1 head, FFN 256, 50 items, dropout 0.5. */
    public static SasRecConfig defaults(int items) {
        return new SasRecConfig(items, 64, 2, 1, 256, 50, 0.5);
    }

    public SasRecConfig withDropout(double p) {
        return new SasRecConfig(items, dim, blocks, heads, ffnDim, maxLength, p, preNorm);
    }

    public int headDim() {
        return dim / heads;
    }

    /** Checkpoint tensor name -> shape. */
    public Map<String, long[]> parameterShapes() {
        Map<String, long[]> s = new LinkedHashMap<>();
        s.put("item_embedding.weight", new long[]{items + 1, dim});
        s.put("position_embedding.weight", new long[]{maxLength, dim});
        // Post-LN normalises the embeddings; pre-LN normalises the last block's output instead.
        String norm = preNorm ? "final_norm" : "emb_norm";
        s.put(norm + ".weight", new long[]{dim});
        s.put(norm + ".bias", new long[]{dim});
        for (int b = 0; b < blocks; b++) {
            String p = "blocks." + b + ".";
            for (String m : new String[]{"q", "k", "v", "o"}) {
                s.put(p + "attn." + m + ".weight", new long[]{dim, dim});
                s.put(p + "attn." + m + ".bias", new long[]{dim});
            }
            s.put(p + "attn_norm.weight", new long[]{dim});
            s.put(p + "attn_norm.bias", new long[]{dim});
            s.put(p + "ffn.wi.weight", new long[]{ffnDim, dim});
            s.put(p + "ffn.wi.bias", new long[]{ffnDim});
            s.put(p + "ffn.wo.weight", new long[]{dim, ffnDim});
            s.put(p + "ffn.wo.bias", new long[]{dim});
            s.put(p + "ffn_norm.weight", new long[]{dim});
            s.put(p + "ffn_norm.bias", new long[]{dim});
        }
        return s;
    }

    public JsonConfig toJson() {
        return JsonConfig.builder().put("items", items).put("dim", dim).put("blocks", blocks).put("heads", heads)
                .put("ffn_dim", ffnDim).put("max_length", maxLength).put("dropout", dropout).put("pre_norm", preNorm).build();
    }

    public static SasRecConfig fromJson(JsonConfig c) {
        try {
            return new SasRecConfig(c.getInt("items"), c.getInt("dim"), c.getInt("blocks"), c.getInt("heads"),
                    c.getInt("ffn_dim"), c.getInt("max_length"), c.getDouble("dropout"), c.getBoolean("pre_norm", false));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException("invalid SASRec config: " + e.getMessage(), e);
        }
    }
}

package io.onerec.libtorch.baseline;

import io.onerec.api.ItemEmbeddings;
import io.onerec.api.checkpoint.Checkpoint;
import io.onerec.libtorch.ParameterTable;
import io.onerec.libtorch.Torch;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * SASRec on LibTorch, written functionally over a {@link ParameterTable} like the generator: item + positional
 * embedding, LayerNorm, dropout, then post-LN blocks of causal multi-head self-attention and a GELU feed-forward
 * layer, each with dropout and a residual connection. Scores of all items are the last hidden state times the item
 * embedding table (tied input and output embeddings).
 *
 * <p>Sequences are right-aligned: the most recent item always sits at the last position, so positional embedding
 * {@code maxLength - 1 - k} means "k items before the end". A batch is only as wide as its longest sequence.
 */
public final class SasRecModel {
    public static final String KIND = "sasrec";
    private static final double INIT_STD = 0.02;
    /** The item embedding table, row 0 padding; also the output layer (tied). */
    private static final String ITEM_TABLE = "item_embedding.weight";

    private final SasRecConfig config;
    private final ParameterTable params;

    private SasRecModel(SasRecConfig config, ParameterTable params) {
        this.config = config;
        this.params = params;
    }

    /** Fresh weights: N(0, 0.02), unit LayerNorm gains, zero biases (RecBole's initialisation). */
    public static SasRecModel initialize(SasRecConfig config, long seed) {
        return initialize(config, seed, INIT_STD);
    }

    /**
     * Fresh weights as {@link #initialize(SasRecConfig, long)}, but the item embedding table (which is also the output
     * layer) drawn from N(0, itemStd^2): its scale sets how sharp the initial softmax over the catalog is.
     */
    public static SasRecModel initialize(SasRecConfig config, long seed, double itemStd) {
        if (!(itemStd > 0)) throw new IllegalArgumentException("itemStd must be > 0, got " + itemStd);
        Torch.seed(seed);
        Map<String, long[]> shapes = config.parameterShapes();
        ParameterTable params = ParameterTable.initialize(shapes, INIT_STD);
        if (itemStd != INIT_STD) {
            Tensor items = Torch.randn(shapes.get(ITEM_TABLE)).mul(Torch.scalar(itemStd));
            params.put(ITEM_TABLE, items.detach().set_requires_grad(true));
        }
        return new SasRecModel(config, params);
    }

    public static SasRecModel load(Path dir) {
        Checkpoint ckpt = Checkpoint.read(dir, KIND);
        SasRecConfig config = SasRecConfig.fromJson(ckpt.config());
        return new SasRecModel(config, ParameterTable.fromHost(ckpt.tensors(), config.parameterShapes(), dir));
    }

    public void save(Path dir) {
        Checkpoint.write(dir, KIND, config.toJson(), params.toHost());
    }

    public SasRecConfig config() {
        return config;
    }

    public SasRecModel copy(boolean trainable) {
        return new SasRecModel(config, params.copy(trainable));
    }

    public void loadWeightsFrom(SasRecModel other) {
        params.copyFrom(other.params);
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

    private Tensor p(String name) {
        return params.get(name);
    }

    /** The learned item vectors (output embedding rows, padding row dropped) as a collaborative signal. */
    public ItemEmbeddings itemEmbeddings() {
        float[] all = Torch.toFloats(itemTable());
        return new ItemEmbeddings(config.items(), config.dim(), all);
    }

    /** [items, d]: embedding rows of the real items. */
    Tensor itemTable() {
        return p(ITEM_TABLE).narrow(0, 1, config.items());
    }

    // ---------------------------------------------------------------- input batches

    /**
     * A right-aligned batch: {@code tokens} [B, T] (item + 1, 0 = padding), {@code blocked} [B, 1, T, T] (true where a
     * query may not attend: future keys and padded keys; a position always sees itself, so no row is empty).
     */
    record Batch(Tensor tokens, Tensor blocked, boolean[] padded, int rows, int width) {
    }

    /**
     * Builds a batch from item sequences of length 0..maxLength, oldest first. An empty sequence is all padding; its
     * last position then sees only itself, which gives a fixed "no history" state instead of an error.
     */
    Batch batch(List<int[]> sequences) {
        int b = sequences.size(), t = 1;
        for (int[] s : sequences) {
            if (s.length > config.maxLength()) {
                throw new IllegalArgumentException("sequence length " + s.length + " above maxLength " + config.maxLength());
            }
            t = Math.max(t, s.length);
        }
        long[] tokens = new long[b * t];
        boolean[] padded = new boolean[b * t];
        boolean[] blocked = new boolean[b * t * t];
        for (int r = 0; r < b; r++) {
            int[] s = sequences.get(r);
            int pad = t - s.length;
            for (int c = 0; c < t; c++) {
                if (c < pad) {
                    padded[r * t + c] = true;
                } else {
                    int item = s[c - pad];
                    if (item < 0 || item >= config.items()) {
                        throw new IllegalArgumentException("item " + item + " outside the catalog [0, " + config.items() + ")");
                    }
                    tokens[r * t + c] = item + 1L;
                }
            }
            for (int i = 0; i < t; i++) {
                for (int j = 0; j < t; j++) {
                    blocked[(r * t + i) * t + j] = j > i || (j < pad && j != i);
                }
            }
        }
        return new Batch(Torch.longs(tokens, b, t), Torch.bools(blocked, b, 1, t, t), padded, b, t);
    }

    // ---------------------------------------------------------------- forward

    private Tensor linear(Tensor x, String prefix) {
        return x.matmul(p(prefix + ".weight").t()).add(p(prefix + ".bias"));
    }

    private Tensor layerNorm(Tensor x, String prefix) {
        return torch.layer_norm(x, new long[]{config.dim()}, new TensorOptional(p(prefix + ".weight")),
                new TensorOptional(p(prefix + ".bias")), SasRecConfig.LAYER_NORM_EPS, false);
    }

    private Tensor dropout(Tensor x, boolean train) {
        return train && config.dropout() > 0 ? torch.dropout(x, config.dropout(), true) : x;
    }

    /** Hidden states [B, T, d] of a batch; {@code train} turns dropout on. */
    Tensor hidden(Batch batch, boolean train) {
        long b = batch.rows(), t = batch.width();
        int d = config.dim();
        Tensor pos = p("position_embedding.weight").narrow(0, config.maxLength() - t, t).unsqueeze(0);
        Tensor x = p(ITEM_TABLE).index_select(0, batch.tokens().view(-1)).view(b, t, d);
        if (config.preNorm()) return preNormBlocks(dropout(x.mul(Torch.scalar(Math.sqrt(d))).add(pos), train), batch, train);
        x = dropout(layerNorm(x.add(pos), "emb_norm"), train);
        for (int i = 0; i < config.blocks(); i++) {
            String pre = "blocks." + i + ".";
            x = layerNorm(x.add(dropout(attention(x, x, pre, batch, train), train)), pre + "attn_norm");
            Tensor f = linear(torch.gelu(linear(x, pre + "ffn.wi")), pre + "ffn.wo");
            x = layerNorm(x.add(dropout(f, train)), pre + "ffn_norm");
        }
        return x;
    }

    /**
     * The original SASRec's layout (Kang and McAuley's code): the query side of attention is layer-normalised and
     * carries the residual, keys and values read the unnormalised input; the feed-forward input is normalised and
     * the block output is not; one final LayerNorm.
     */
    private Tensor preNormBlocks(Tensor x, Batch batch, boolean train) {
        for (int i = 0; i < config.blocks(); i++) {
            String pre = "blocks." + i + ".";
            Tensor xq = layerNorm(x, pre + "attn_norm");
            x = layerNorm(xq.add(dropout(attention(xq, x, pre, batch, train), train)), pre + "ffn_norm");
            Tensor f = linear(dropout(torch.gelu(linear(x, pre + "ffn.wi")), train), pre + "ffn.wo");
            x = x.add(dropout(f, train));
        }
        return layerNorm(x, "final_norm");
    }

    /** Causal multi-head attention of block {@code pre}: queries from {@code xq}, keys and values from {@code xkv}. */
    private Tensor attention(Tensor xq, Tensor xkv, String pre, Batch batch, boolean train) {
        long b = batch.rows(), t = batch.width();
        int d = config.dim(), h = config.heads(), dh = config.headDim();
        Tensor q = linear(xq, pre + "attn.q").view(b, t, h, dh).transpose(1, 2);
        Tensor k = linear(xkv, pre + "attn.k").view(b, t, h, dh).transpose(1, 2);
        Tensor v = linear(xkv, pre + "attn.v").view(b, t, h, dh).transpose(1, 2);
        Tensor scores = q.matmul(k.transpose(-2, -1)).mul(Torch.scalar(1.0 / Math.sqrt(dh)))
                .masked_fill(batch.blocked(), Torch.scalar(Double.NEGATIVE_INFINITY));
        Tensor a = dropout(scores.softmax(-1), train).matmul(v).transpose(1, 2).contiguous().view(b, t, d);
        return linear(a, pre + "attn.o");
    }

    /** Logits over all items [n, items] for hidden states [n, d]. */
    Tensor logits(Tensor hidden) {
        return hidden.matmul(itemTable().t());
    }

    /**
     * {@code scores} [B, items] with the items of {@code items.get(r)} set to negative infinity in row r (a user's
     * history left out of the ranking); an item outside the catalog is refused.
     */
    Tensor withoutItems(Tensor scores, List<int[]> items) {
        int n = config.items(), b = items.size();
        boolean[] seen = new boolean[b * n];
        for (int r = 0; r < b; r++) {
            for (int item : items.get(r)) {
                if (item < 0 || item >= n) throw new IllegalArgumentException("history item " + item + " outside the catalog [0, " + n + ")");
                seen[r * n + item] = true;
            }
        }
        return scores.masked_fill(Torch.bools(seen, b, n), Torch.scalar(Double.NEGATIVE_INFINITY));
    }

    /**
     * Log-scores [B, items] of an ensemble after each full history (each model reads its own last maxLength items):
     * one model's logits, or the mean of several models' log-softmax (a geometric mean of their distributions: on
     * Beauty it ranked better than the mean of the probabilities, docs/baselines.md). Softmax of the result is the
     * ensemble's distribution either way.
     */
    static Tensor ensembleScores(List<SasRecModel> models, List<int[]> histories) {
        Tensor sum = null;
        for (SasRecModel m : models) {
            int max = m.config().maxLength();
            List<int[]> seqs = new ArrayList<>(histories.size());
            for (int[] h : histories) seqs.add(h.length <= max ? h : Arrays.copyOfRange(h, h.length - max, h.length));
            Tensor s = m.scoreAll(seqs);
            if (models.size() == 1) return s;
            s = s.log_softmax(-1);
            sum = sum == null ? s : sum.add(s);
        }
        return sum.div(Torch.scalar(models.size()));
    }

    /** The catalog size several models share; refuses an empty list or different catalogs. */
    static int sharedCatalog(List<SasRecModel> models) {
        if (models == null || models.isEmpty()) throw new IllegalArgumentException("no SASRec model");
        int items = models.getFirst().config().items();
        for (SasRecModel m : models) {
            if (m.config().items() != items) {
                throw new IllegalArgumentException("SASRec models over different catalogs: " + items + " and " + m.config().items() + " items");
            }
        }
        return items;
    }

    /** Item scores [B, items] after each sequence (no gradients needed by the caller's choice). */
    Tensor scoreAll(List<int[]> sequences) {
        Batch batch = batch(sequences);
        Tensor last = hidden(batch, false).select(1, batch.width() - 1);
        return logits(last);
    }
}

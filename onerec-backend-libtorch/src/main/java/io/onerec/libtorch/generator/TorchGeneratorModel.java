package io.onerec.libtorch.generator;

import io.onerec.api.checkpoint.Checkpoint;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.libtorch.ParameterTable;
import io.onerec.libtorch.Torch;
import org.bytedeco.pytorch.BoolOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.nio.file.Path;
import java.util.List;

/**
 * The OneRec encoder-decoder of docs/generator-model.md on LibTorch, written functionally over a table of named
 * parameter tensors whose names are the checkpoint's tensor names, so saving and loading is a copy and nothing is
 * renamed between the model and the file.
 */
public final class TorchGeneratorModel {
    public static final String KIND = GeneratorConfig.CHECKPOINT_KIND;
    private static final double INIT_STD = 0.02;

    private final GeneratorConfig config;
    private final ParameterTable params;
    /** Runs the MoE layers in the dense reference form ({@link #moeDense}); only for tests and benchmarks. */
    private final boolean denseMoe;

    private TorchGeneratorModel(GeneratorConfig config, ParameterTable params) {
        this(config, params, false);
    }

    private TorchGeneratorModel(GeneratorConfig config, ParameterTable params, boolean denseMoe) {
        this.config = config;
        this.params = params;
        this.denseMoe = denseMoe;
    }

    /**
     * A view of this model over the same parameter tensors whose MoE layers run the dense reference form (every
     * expert on every token): the baseline the sparse form is tested and benchmarked against.
     */
    public TorchGeneratorModel withDenseMoeReference() {
        return new TorchGeneratorModel(config, params, true);
    }

    public GeneratorConfig config() {
        return config;
    }

    /** A freshly initialised model: N(0, 0.02) weights, unit norms. */
    public static TorchGeneratorModel initialize(GeneratorConfig config, long seed) {
        Torch.seed(seed);
        return new TorchGeneratorModel(config, ParameterTable.initialize(config.parameterShapes(), INIT_STD));
    }

    /**
     * Loads a checkpoint written by any backend, validated as the pure-Java backend does: config values in range,
     * exactly the tensors the config names with their shapes and a floating-point dtype (checked from the header
     * before any data is read), finite values only.
     */
    public static TorchGeneratorModel load(Path dir) {
        Checkpoint ckpt = Checkpoint.read(dir, KIND, c -> GeneratorConfig.fromJson(c).parameterShapes());
        GeneratorConfig config = GeneratorConfig.fromJson(ckpt.config());
        return new TorchGeneratorModel(config, ParameterTable.fromHost(ckpt.tensors(), config.parameterShapes(), dir));
    }

    public void save(Path dir) {
        Checkpoint.write(dir, KIND, config.toJson(), params.toHost());
    }

    /** A detached copy (e.g. the frozen reference model of DPO). */
    public TorchGeneratorModel copy(boolean trainable) {
        return new TorchGeneratorModel(config, params.copy(trainable), denseMoe);
    }

    /** Overwrites this model's weights with another's of the same config (e.g. restoring the best epoch). */
    public void loadWeightsFrom(TorchGeneratorModel other) {
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

    Tensor p(String name) {
        return params.get(name);
    }

    // ---------------------------------------------------------------- building blocks

    Tensor rmsNorm(Tensor x, String weight) {
        if (!org.bytedeco.pytorch.GradMode.is_enabled()) {
            // Inference: LibTorch's one-kernel RMSNorm instead of six ops (same formula; the small-batch decoder
            // steps are bound by the number of ops). Training keeps the composite, whose numerics it was tuned with.
            return torch.rms_norm(x, new long[]{config.dModel()}, new org.bytedeco.pytorch.TensorOptional(p(weight)),
                    new org.bytedeco.pytorch.DoubleOptional(config.normEps()));
        }
        Tensor ms = x.pow(Torch.scalar(2)).mean(new long[]{-1}, true, new org.bytedeco.pytorch.ScalarTypeOptional());
        return x.mul(ms.add(Torch.scalar(config.normEps())).rsqrt()).mul(p(weight));
    }

    static Tensor linear(Tensor x, Tensor w) {
        // One op (LibTorch's linear is matmul(x, w^T) without a bias) rather than a transpose and a matmul; under
        // autocast its weight operand is the parameter itself, whose bf16 copy autocast caches for the scope.
        return torch.linear(x, w);
    }

    /** [B, T, d] -> [B, H, T, dh]. */
    Tensor heads(Tensor x) {
        long b = x.size(0), t = x.size(1);
        return x.view(b, t, config.nHeads(), config.headDim()).transpose(1, 2);
    }

    /** [B, H, T, dh] -> [B, T, d]. */
    Tensor merge(Tensor x) {
        long b = x.size(0), t = x.size(2);
        return x.transpose(1, 2).contiguous().view(b, t, config.dModel());
    }

    /**
     * softmax(q k^T / sqrt(dh) masked) v for [B,H,Tq,dh] x [B,H,Tk,dh]; mask true = blocked, broadcastable.
     * Dropout on the attention weights while training (T5, TIGER).
     */
    Tensor attend(Tensor q, Tensor k, Tensor v, Tensor blocked, double dropout) {
        if (dropout == 0 && !org.bytedeco.pytorch.GradMode.is_enabled() && !Torch.autocastEnabled()) {
            // Inference: LibTorch's fused attention (one op instead of five; same softmax(q k^T / sqrt(dh)) v). Not
            // under bf16 autocast, where its CPU kernel was 4x slower than the composite at these shapes.
            return attendFused(q, k, v, blocked == null ? null : blocked.logical_not());
        }
        Tensor scores = q.matmul(k.transpose(-2, -1)).mul(Torch.scalar(1.0 / Math.sqrt(config.headDim())));
        if (blocked != null) scores = scores.masked_fill(blocked, Torch.scalar(Double.NEGATIVE_INFINITY));
        return drop(scores.softmax(-1), dropout).matmul(v);
    }

    /** {@code scaled_dot_product_attention}: softmax(q k^T / sqrt(dh)) v; {@code allowed} true = may attend, or null. */
    static Tensor attendFused(Tensor q, Tensor k, Tensor v, Tensor allowed) {
        return torch.scaled_dot_product_attention(q, k, v, allowed == null ? new org.bytedeco.pytorch.TensorOptional()
                : new org.bytedeco.pytorch.TensorOptional(allowed), 0.0, false, new org.bytedeco.pytorch.DoubleOptional(), false);
    }

    Tensor attend(Tensor q, Tensor k, Tensor v, Tensor blocked) {
        return attend(q, k, v, blocked, 0);
    }

    Tensor ffn(Tensor x, String prefix, double dropout) {
        return linear(drop(linear(x, p(prefix + "wi.weight")).relu(), dropout), p(prefix + "wo.weight"));
    }

    Tensor ffn(Tensor x, String prefix) {
        return ffn(x, prefix, 0);
    }

    /** Inverted dropout while training ({@code p} > 0); the identity at inference, so serving never sees it. */
    static Tensor drop(Tensor x, double p) {
        return p > 0 ? torch.dropout(x, p, true) : x;
    }

    /**
     * Top-k gated mixture of experts, sparse: each expert runs only on the tokens routed to it. The (token, slot)
     * pairs are sorted by expert (stable, so within an expert tokens keep their order), each expert's FFN runs on
     * its gathered rows, and the gate-weighted outputs are scattered back with one {@code index_add}, so the cost
     * grows with top-k, not with the number of experts. Gradients reach only the selected experts and, through the
     * renormalised gates, the router, exactly as in {@link #moeDense}. Returns the output and adds the Switch
     * load-balancing term to {@code aux}.
     */
    public Tensor moe(Tensor x, String prefix, Tensor[] aux, double dropout) {
        if (denseMoe) return moeDense(x, prefix, aux, dropout);
        int e = config.moeExperts(), k = config.moeTopK();
        long d = x.size(-1);
        Tensor flat = x.reshape(-1, d);
        long tokens = flat.size(0);
        Routing r = route(flat, prefix);
        Tensor expertOfSlot = r.topIdx().reshape(-1);                       // [tokens*k], slot s = token * k + j
        Tensor order = expertOfSlot.argsort(true, 0, false);                  // slots grouped by expert
        Tensor tokenOfSlot = order.floor_divide(new org.bytedeco.pytorch.Scalar((long) k)); // an integer scalar keeps int64
        Tensor gateOfSlot = r.topP().reshape(-1).index_select(0, order).unsqueeze(-1);
        // One host read of the per-expert counts (e small longs) decides the group boundaries.
        long[] counts = Torch.toLongs(torch.bincount(expertOfSlot, new org.bytedeco.pytorch.TensorOptional(), e));
        Tensor rows = flat.index_select(0, tokenOfSlot);                       // [tokens*k, d], grouped by expert
        TensorVector outputs = new TensorVector();
        long start = 0;
        for (int j = 0; j < e; j++) {
            if (counts[j] == 0) continue;
            outputs.push_back(ffn(rows.narrow(0, start, counts[j]), prefix + "experts." + j + ".", dropout));
            start += counts[j];
        }
        Tensor weighted = torch.cat(outputs).mul(gateOfSlot);
        Tensor out = torch.zeros_like(flat).index_add(0, tokenOfSlot, weighted);
        addBalancingLoss(r.probs(), Torch.floats(toFloats(counts), e), tokens, aux);
        long[] shape = new long[(int) x.dim()];
        for (int i = 0; i < shape.length; i++) shape[i] = x.size(i);
        return out.view(shape);
    }

    /**
     * The dense reference of {@link #moe}: every expert runs on every token and the gates zero out the unselected
     * ones. Kept for tests (sparse == dense, outputs and gradients) and for the MoE cost benchmark.
     */
    public Tensor moeDense(Tensor x, String prefix, Tensor[] aux, double dropout) {
        int e = config.moeExperts();
        Routing r = route(x, prefix);
        Tensor out = null;
        Tensor routed = null;
        for (int j = 0; j < e; j++) {
            Tensor chosen = r.topIdx().eq(Torch.scalar(j)).to(Torch.device(), torch.ScalarType.Float);
            Tensor gate = chosen.mul(r.topP()).sum(new long[]{-1}, true, new org.bytedeco.pytorch.ScalarTypeOptional());
            Tensor y = ffn(x, prefix + "experts." + j + ".", dropout).mul(gate);
            out = out == null ? y : out.add(y);
            Tensor count = chosen.sum().reshape(1);
            routed = routed == null ? count : torch.cat(new TensorVector(routed, count));
        }
        addBalancingLoss(r.probs().reshape(-1, e), routed, r.probs().numel() / e, aux);
        return out;
    }

    /** Router softmax and its top-k, renormalised: ties go to the lower expert (stable descending sort). */
    private record Routing(Tensor probs, Tensor topP, Tensor topIdx) {
    }

    private Routing route(Tensor x, String prefix) {
        int k = config.moeTopK();
        Tensor probs = linear(x, p(prefix + "router.weight")).softmax(-1);
        var sorted = torch.sort(probs, new BoolOptional(true), -1, true);
        Tensor topP = sorted.get0().narrow(-1, 0, k);
        Tensor topIdx = sorted.get1().narrow(-1, 0, k);
        topP = topP.div(topP.sum(new long[]{-1}, true, new org.bytedeco.pytorch.ScalarTypeOptional()));
        return new Routing(probs, topP, topIdx);
    }

    /**
     * Switch balancing loss {@code e * sum_j f_j P_j}: f_j the fraction of routed slots that went to expert j
     * ({@code routed[j] / (tokens * k)}, no gradient), P_j the mean router probability of expert j.
     */
    private void addBalancingLoss(Tensor probs, Tensor routed, long tokens, Tensor[] aux) {
        int e = config.moeExperts(), k = config.moeTopK();
        Tensor f = routed.div(Torch.scalar((double) tokens * k));
        Tensor meanP = probs.reshape(-1, e).mean(new long[]{0}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
        Tensor lb = f.mul(meanP).sum().mul(Torch.scalar(e));
        aux[0] = aux[0] == null ? lb : aux[0].add(lb);
    }

    private static float[] toFloats(long[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = v[i];
        return f;
    }

    // ---------------------------------------------------------------- encoder and teacher-forced decoder

    /**
     * tokens [B, S, P] (int64; P token ids per position, PAD contributes nothing), items [B, S] (int64 rows of
     * {@code encoder.item_embedding}, -1 = none; null when the model has no item embeddings), padded [B, S] (bool,
     * true = padding) -> [B, S, d]. {@code dropout} > 0 only while training.
     */
    public Tensor encode(Tensor tokens, Tensor items, Tensor padded, double dropout) {
        long b = tokens.size(0), s = tokens.size(1), codes = tokens.size(2);
        Tensor real = tokens.ne(Torch.scalar(io.onerec.api.generator.GeneratorConfig.PAD)).to(Torch.device(), torch.ScalarType.Float);
        Tensor x = p("shared.embedding").index_select(0, tokens.view(-1)).view(b, s, codes, config.dModel())
                .mul(real.unsqueeze(-1)).sum(new long[]{2}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
        if (config.itemEmbeddings()) {
            if (items == null) throw new IllegalArgumentException("this model has item embeddings but no item ids were given");
            // Positions without an item row (-1) read row 0 and are zeroed by the mask.
            Tensor present = items.ge(Torch.scalar(0));
            Tensor index = items.mul(present.to(Torch.device(), torch.ScalarType.Long));
            Tensor rows = p("encoder.item_embedding").index_select(0, index.view(-1)).view(b, s, config.dModel());
            x = x.add(rows.mul(present.unsqueeze(-1).to(Torch.device(), torch.ScalarType.Float)));
        }
        x = drop(x.add(p("encoder.pos_embedding").narrow(0, 0, s).unsqueeze(0)), dropout);
        Tensor blocked = padded.view(b, 1, 1, s);
        if (config.causalEncoder()) blocked = blocked.logical_or(future(s));
        for (int i = 0; i < config.encoderLayers(); i++) {
            String pre = "encoder.layers." + i + ".";
            Tensor h = rmsNorm(x, pre + "attn_norm.weight");
            Tensor a = attend(heads(linear(h, p(pre + "attn.q.weight"))), heads(linear(h, p(pre + "attn.k.weight"))),
                    heads(linear(h, p(pre + "attn.v.weight"))), blocked, dropout);
            x = x.add(drop(linear(merge(a), p(pre + "attn.o.weight")), dropout));
            x = x.add(drop(ffn(rmsNorm(x, pre + "ffn_norm.weight"), pre + "ffn.", dropout), dropout));
        }
        return drop(rmsNorm(x, "encoder.final_norm.weight"), dropout);
    }

    /** Inference encoder (no dropout). */
    public Tensor encode(Tensor tokens, Tensor items, Tensor padded) {
        return encode(tokens, items, padded, 0);
    }

    /**
     * Teacher-forced decoder: input tokens [B, T] over encoder output [B, S, d] -> final hidden states [B, T, d].
     * Adds the MoE balancing loss (if any) to {@code aux[0]}.
     */
    public Tensor decode(Tensor input, Tensor enc, Tensor encPadded, Tensor[] aux, double dropout) {
        Tensor last = config.bosReadsLastState() ? lastHistoryStates(enc, encPadded) : null;
        return decode(input, enc, null, encPadded.view(enc.size(0), 1, 1, enc.size(1)), last, aux, dropout);
    }

    /**
     * Encoder outputs at one position per decoder row: row r reads encoder row {@code encRow[r]} (null = r) at
     * position {@code position[r]} -> [N, d]. The BOS inputs add these when {@code bos_reads_last_state}.
     */
    Tensor lastStates(Tensor enc, Tensor encRow, Tensor position) {
        long s = enc.size(1), d = config.dModel();
        Tensor rows = encRow;
        if (rows == null) {
            long[] identity = new long[(int) position.size(0)];
            for (int i = 0; i < identity.length; i++) identity[i] = i;
            rows = Torch.longs(identity, identity.length);
        }
        Tensor flat = rows.mul(Torch.scalar(s)).add(position).to(Torch.device(), torch.ScalarType.Long); // scalars promote to float
        return enc.reshape(-1, d).index_select(0, flat);
    }

    /**
     * Teacher-forced decoder over rows of a shared encoder output: decoder row r reads encoder row
     * {@code encRow[r]} (null = row r) with the cross-attention keys {@code crossBlocked} [B, 1, 1, S] (true =
     * blocked) hidden. Cross-attention keys and values are projected once per encoder row, not once per decoder
     * row, so many targets of one sequence (causal-encoder training) share that work.
     */
    public Tensor decode(Tensor input, Tensor enc, Tensor encRow, Tensor crossBlocked, Tensor lastState, Tensor[] aux,
                         double dropout) {
        long b = input.size(0), t = input.size(1);
        Tensor x = p("shared.embedding").index_select(0, input.view(-1)).view(b, t, config.dModel())
                .add(p("decoder.pos_embedding").narrow(0, 0, t).unsqueeze(0));
        if (config.bosReadsLastState()) {
            if (lastState == null) throw new IllegalArgumentException("this model's BOS inputs read the encoder's last state, none given");
            Tensor bos = input.eq(Torch.scalar(io.onerec.api.generator.GeneratorConfig.BOS)).to(Torch.device(), torch.ScalarType.Float);
            x = x.add(bos.unsqueeze(-1).mul(lastState.unsqueeze(1)));
        }
        x = drop(x, dropout);
        Tensor causal = future(t);
        for (int i = 0; i < config.decoderLayers(); i++) {
            String pre = "decoder.layers." + i + ".";
            Tensor h = rmsNorm(x, pre + "self_attn_norm.weight");
            Tensor a = attend(heads(linear(h, p(pre + "self_attn.q.weight"))), heads(linear(h, p(pre + "self_attn.k.weight"))),
                    heads(linear(h, p(pre + "self_attn.v.weight"))), causal, dropout);
            x = x.add(drop(linear(merge(a), p(pre + "self_attn.o.weight")), dropout));
            h = rmsNorm(x, pre + "cross_attn_norm.weight");
            Tensor k = heads(linear(enc, p(pre + "cross_attn.k.weight"))), v = heads(linear(enc, p(pre + "cross_attn.v.weight")));
            if (encRow != null) {
                k = k.index_select(0, encRow);
                v = v.index_select(0, encRow);
            }
            Tensor c = attend(heads(linear(h, p(pre + "cross_attn.q.weight"))), k, v, crossBlocked, dropout);
            x = x.add(drop(linear(merge(c), p(pre + "cross_attn.o.weight")), dropout));
            h = rmsNorm(x, pre + "ffn_norm.weight");
            x = x.add(drop(config.moe() ? moe(h, pre + "moe.", aux, dropout) : ffn(h, pre + "ffn.", dropout), dropout));
        }
        return drop(rmsNorm(x, "decoder.final_norm.weight"), dropout);
    }

    /** [1, 1, t, t], true above the diagonal: position i may not attend to j > i. */
    static Tensor future(long t) {
        boolean[] future = new boolean[(int) (t * t)];
        for (int i = 0; i < t; i++) for (int j = i + 1; j < t; j++) future[(int) (i * t + j)] = true;
        return Torch.bools(future, 1, 1, t, t);
    }

    /**
     * The item head: logits over the item-ID rows for user states [..., d] (the encoder's state at a history's last
     * item), scored against the encoder's own item-ID embeddings (tied, as SASRec ties its input and output tables, so
     * the head adds no parameters): [..., item_vocab], float32. Meaningful only for a model trained with it
     * ({@link GeneratorTrainer#withItemHead}); it is served by fusing its distribution into the beam search
     * ({@link io.onerec.api.generator.ItemHead}), never instead of it.
     */
    public Tensor itemLogits(Tensor userStates) {
        if (!config.itemEmbeddings()) throw new IllegalStateException("the item head needs a model with item-ID embeddings (item_vocab > 0)");
        return linear(userStates, p("encoder.item_embedding")).to(Torch.device(), torch.ScalarType.Float);
    }

    /** The encoder's state at each history's last item, [B, d], from an encoder output [B, S, d] of right-padded rows. */
    public Tensor lastHistoryStates(Tensor encoded, Tensor padded) {
        // Right-padded rows: the latest position is the number of real positions minus one.
        Tensor lastIndex = padded.logical_not().sum(new long[]{1}, false, new org.bytedeco.pytorch.ScalarTypeOptional())
                .sub(Torch.scalar(1)).to(Torch.device(), torch.ScalarType.Long);
        return lastStates(encoded, null, lastIndex);
    }

    /** Logits of the codes at position {@code level} (the lm_head rows of that position only): [..., K_level]. */
    public Tensor levelLogits(Tensor hidden, int level) {
        Tensor w = p("lm_head.weight").narrow(0, config.codeTokenOffset(level), config.codebookSize(level));
        // Always float32 logits, also under bf16 autocast: the softmax over thousands of codes and the beam scores
        // summed from it need the mantissa (a no-op in float32).
        return linear(hidden, w).to(Torch.device(), torch.ScalarType.Float);
    }
}

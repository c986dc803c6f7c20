package io.onerec.libtorch.reward;

import io.onerec.api.ItemEmbeddings;
import io.onerec.api.RewardModel;
import io.onerec.api.RewardScores;
import io.onerec.api.UserHistory;
import io.onerec.api.checkpoint.Checkpoint;
import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.api.checkpoint.HostTensor;
import io.onerec.api.reward.RewardModelConfig;
import io.onerec.libtorch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The reward model of docs/reward-model.md on LibTorch: trainable (see {@link RewardTrainer}) and usable for scoring.
 * Parameters are a table named exactly as the checkpoint's tensors, like the generator's.
 */
public final class TorchRewardModel implements RewardModel {
    private static final double EMBEDDING_STD = 0.1;

    private final RewardModelConfig config;
    private final Map<String, Tensor> params;

    private TorchRewardModel(RewardModelConfig config, Map<String, Tensor> params) {
        this.config = config;
        this.params = params;
    }

    /**
     * A fresh model: linear weights N(0, 1/in), biases (item biases included) 0, item embeddings and history
     * feedback vectors N(0, 0.1^2), item embeddings copied from {@code init} (which must have {@code itemCount} rows
     * of {@code dModel} columns) when given.
     */
    public static TorchRewardModel initialize(RewardModelConfig config, ItemEmbeddings init, long seed) {
        if (init != null && (init.count() != config.itemCount() || init.dim() != config.dModel())) {
            throw new IllegalArgumentException("initial embeddings are " + init.count() + "x" + init.dim() + ", the model needs "
                    + config.itemCount() + "x" + config.dModel());
        }
        Torch.seed(seed);
        Map<String, Tensor> params = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : config.parameterShapes().entrySet()) {
            String name = e.getKey();
            long[] shape = e.getValue();
            Tensor t;
            if (name.equals("item_embedding")) {
                t = init != null ? Torch.floats(init.data(), shape) : Torch.randn(shape).mul(Torch.scalar(EMBEDDING_STD));
            } else if (name.equals("history_feedback")) {
                t = Torch.randn(shape).mul(Torch.scalar(EMBEDDING_STD));
            } else if (name.endsWith(".bias") || name.equals("item_bias")) {
                t = Torch.zeros(shape);
            } else {
                t = Torch.randn(shape).mul(Torch.scalar(1 / Math.sqrt(shape[1])));
            }
            params.put(name, t.detach().set_requires_grad(true));
        }
        return new TorchRewardModel(config, params);
    }

    /** Loads a checkpoint of kind {@value RewardModelConfig#KIND}, checking every tensor's presence and shape. */
    public static TorchRewardModel load(Path dir) {
        Checkpoint ckpt = Checkpoint.read(dir, RewardModelConfig.KIND);
        RewardModelConfig config = RewardModelConfig.fromJson(ckpt.config());
        Map<String, Tensor> params = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : config.parameterShapes().entrySet()) {
            HostTensor h = ckpt.tensor(e.getKey(), e.getValue());
            params.put(e.getKey(), Torch.floats(h.floats(), e.getValue()).set_requires_grad(true));
        }
        return new TorchRewardModel(config, params);
    }

    public RewardModelConfig config() {
        return config;
    }

    @Override
    public List<String> objectives() {
        return config.objectives();
    }

    /** The weights as host tensors, e.g. to build a pure-Java scorer without a round trip through disk. */
    public Map<String, HostTensor> hostTensors() {
        Map<String, HostTensor> host = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            params.forEach((name, t) -> host.put(name, Torch.toHost(t)));
        }
        return host;
    }

    /** Overwrites the named weights in place with host values of the same shapes (e.g. the best epoch's weights). */
    void overwrite(Map<String, HostTensor> values) {
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            values.forEach((name, h) -> {
                long[] shape = config.parameterShapes().get(name);
                if (shape == null) throw new IllegalArgumentException("the reward model has no tensor '" + name + "'");
                p(name).copy_(Torch.floats(h.requireShape(name, shape).floats(), shape));
            });
        }
    }

    @Override
    public void save(Path dir) {
        Checkpoint.write(dir, RewardModelConfig.KIND, config.toJson(), hostTensors());
    }

    public TensorVector parameters() {
        return new TensorVector(params.values().toArray(Tensor[]::new));
    }

    Tensor p(String name) {
        Tensor t = params.get(name);
        if (t == null) throw new IllegalStateException("no parameter " + name);
        return t;
    }

    /**
     * Tensors of one batch: history items left-aligned with padding masked, the feedback on each history item and
     * whether it is known (0 for padding and for histories without feedback), and the sessions.
     */
    record Batch(Tensor history, Tensor historyPadded, Tensor historyFeedback, Tensor historyFeedbackKnown,
                 Tensor sessions, int size, int sessionLength) {
    }

    /** Builds a batch; all sessions must have the same length. Unknown items are rejected with their position. */
    Batch batch(List<UserHistory> users, List<int[]> sessions) {
        int b = users.size();
        if (b == 0 || sessions.size() != b) throw new IllegalArgumentException(b + " users, " + sessions.size() + " sessions");
        int m = sessions.getFirst().length;
        int len = 1;
        List<UserHistory> clipped = new ArrayList<>(b);
        for (UserHistory u : users) {
            UserHistory c = u.lastItems(config.maxHistory());
            clipped.add(c);
            len = Math.max(len, c.length());
        }
        long[] hist = new long[b * len];
        boolean[] pad = new boolean[b * len];
        float[] feedback = new float[b * len], known = new float[b * len];
        long[] sess = new long[b * m];
        for (int i = 0; i < b; i++) {
            UserHistory u = clipped.get(i);
            for (int t = 0; t < len; t++) {
                if (t < u.length()) {
                    hist[i * len + t] = checkItem(u.item(t), "history of user " + u.userId());
                    if (u.hasFeedback()) {
                        feedback[i * len + t] = u.feedback(t);
                        known[i * len + t] = 1;
                    }
                } else {
                    pad[i * len + t] = true;
                }
            }
            int[] s = sessions.get(i);
            if (s.length != m) throw new IllegalArgumentException("sessions of mixed lengths in one batch: " + m + " and " + s.length);
            for (int j = 0; j < m; j++) sess[i * m + j] = checkItem(s[j], "session");
        }
        return new Batch(Torch.longs(hist, b, len), Torch.bools(pad, b, len), Torch.floats(feedback, b, len),
                Torch.floats(known, b, len), Torch.longs(sess, b, m), b, m);
    }

    private int checkItem(int item, String where) {
        if (item < 0 || item >= config.itemCount()) {
            throw new IllegalArgumentException("unknown item " + item + " in " + where + " (reward model knows " + config.itemCount() + " items)");
        }
        return item;
    }

    private static Tensor linear(Tensor x, Tensor w) {
        return x.matmul(w.t());
    }

    private Tensor embed(Tensor idx) {
        long b = idx.size(0), t = idx.size(1);
        return p("item_embedding").index_select(0, idx.view(-1)).view(b, t, config.dModel());
    }

    /**
     * History item embeddings [B, L, d]; with history feedback, plus {@code known * ((1 - y) F_0 + y F_1)} for
     * feedback {@code y} and the two {@code history_feedback} rows {@code F_0, F_1}.
     */
    private Tensor embedHistory(Batch batch) {
        Tensor eh = embed(batch.history());
        if (!config.historyFeedback()) return eh;
        Tensor f = p("history_feedback");
        Tensor y = batch.historyFeedback().unsqueeze(2), known = batch.historyFeedbackKnown().unsqueeze(2); // [B, L, 1]
        Tensor mixed = y.neg().add(Torch.scalar(1)).mul(f.select(0, 0)).add(y.mul(f.select(0, 1)));
        return eh.add(known.mul(mixed));
    }

    /** Tower logits [B, K]. */
    Tensor towerLogits(Batch batch) {
        double scale = 1 / Math.sqrt(config.dModel());
        Tensor eh = embedHistory(batch), es = embed(batch.sessions());
        Tensor q = linear(es, p("target_attn.q.weight"));
        Tensor k = linear(eh, p("target_attn.k.weight"));
        Tensor v = linear(eh, p("target_attn.v.weight"));
        Tensor sc = q.matmul(k.transpose(1, 2)).mul(Torch.scalar(scale))
                .masked_fill(batch.historyPadded().unsqueeze(1), Torch.scalar(Double.NEGATIVE_INFINITY)); // [B, m, L]
        // The null slot (score 0, value 0) lets an item attend to nothing; its weight is dropped after the softmax.
        Tensor nullSlot = Torch.zeros(batch.size(), batch.sessionLength(), 1);
        long len = sc.size(2);
        Tensor w = torch.cat(new TensorVector(nullSlot, sc), 2).softmax(-1).narrow(2, 1, len);
        Tensor x = es.add(linear(w.matmul(v), p("target_attn.o.weight")));
        Tensor q2 = linear(x, p("self_attn.q.weight"));
        Tensor k2 = linear(x, p("self_attn.k.weight"));
        Tensor v2 = linear(x, p("self_attn.v.weight"));
        Tensor sa = linear(q2.matmul(k2.transpose(1, 2)).mul(Torch.scalar(scale)).softmax(-1).matmul(v2), p("self_attn.o.weight"));
        Tensor pooled = x.add(sa).sum(new long[]{1}, false, new ScalarTypeOptional()); // [B, d]
        Tensor[] logits = new Tensor[config.objectiveCount()];
        for (int o = 0; o < logits.length; o++) {
            logits[o] = mlp(pooled, "towers." + config.objectives().get(o) + ".");
        }
        Tensor out = torch.cat(new TensorVector(logits), 1);
        if (config.itemBias()) {
            // The mean over the session's items of each item's bias, per objective.
            long b = batch.size(), m = batch.sessionLength();
            Tensor bias = p("item_bias").index_select(0, batch.sessions().view(-1)).view(b, m, config.objectiveCount());
            out = out.add(bias.mean(new long[]{1}, false, new ScalarTypeOptional()));
        }
        return out;
    }

    /** fc2(relu(fc1 x + b1)) + b2, shape [B, 1]. */
    Tensor mlp(Tensor x, String prefix) {
        Tensor h = linear(x, p(prefix + "fc1.weight")).add(p(prefix + "fc1.bias")).relu();
        return linear(h, p(prefix + "fc2.weight")).add(p(prefix + "fc2.bias"));
    }

    /** Fused score [B] from tower probabilities [B, K]. */
    Tensor fuse(Tensor probs) {
        if (config.fusion() == RewardModelConfig.Fusion.MLP) {
            return mlp(probs, "fusion.").sigmoid().view(-1);
        }
        double[] w = config.fusionWeights();
        float[] wf = new float[w.length];
        for (int k = 0; k < w.length; k++) wf[k] = (float) w[k];
        return probs.matmul(Torch.floats(wf, w.length));
    }

    @Override
    public RewardScores score(UserHistory user, List<int[]> sessions) {
        int n = sessions.size();
        float[][] per = new float[n][];
        float[] fused = new float[n];
        // One batch per session length: the self-attention has no session mask.
        Map<Integer, List<Integer>> byLength = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            int[] s = sessions.get(i);
            if (s == null || s.length == 0) throw new IllegalArgumentException("empty session at position " + i);
            byLength.computeIfAbsent(s.length, x -> new ArrayList<>()).add(i);
        }
        int k = config.objectiveCount();
        for (List<Integer> group : byLength.values()) {
            List<UserHistory> users = new ArrayList<>(group.size());
            List<int[]> batch = new ArrayList<>(group.size());
            for (int i : group) {
                users.add(user);
                batch.add(sessions.get(i));
            }
            try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
                Tensor probs = towerLogits(batch(users, batch)).sigmoid();
                float[] p = Torch.toFloats(probs);
                float[] f = Torch.toFloats(fuse(probs));
                for (int g = 0; g < group.size(); g++) {
                    int i = group.get(g);
                    per[i] = new float[k];
                    System.arraycopy(p, g * k, per[i], 0, k);
                    fused[i] = f[g];
                }
            }
        }
        return new RewardScores(config.objectives(), per, fused);
    }
}

package io.onerec.cpu.reward;

import io.onerec.api.RewardModel;
import io.onerec.api.RewardScores;
import io.onerec.api.UserHistory;
import io.onerec.api.checkpoint.Checkpoint;
import io.onerec.api.checkpoint.HostTensor;
import io.onerec.api.reward.RewardModelConfig;
import io.onerec.core.vector.KernelProvider;
import io.onerec.core.vector.Kernels;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Pure-Java scoring with a reward-model checkpoint trained by any backend (docs/reward-model.md). The history's
 * keys and values are computed once per call and shared by all candidate sessions of that user. Immutable after
 * loading, so concurrent {@code score} calls are safe.
 */
public final class CpuRewardModel implements RewardModel {
    private final RewardModelConfig config;
    private final Map<String, HostTensor> tensors;
    private final float[] embedding;
    private final float[] itemBias; // [itemCount, objectives] or null
    private final float[] historyFeedback; // [2, d]: rows F_0 (not liked) and F_1 (liked), or null
    private final float[][] targetAttn = new float[4][];
    private final float[][] selfAttn = new float[4][];
    private final float[][][] towers; // [objective] {fc1.weight, fc1.bias, fc2.weight, fc2.bias}
    private final float[][] fusionMlp; // {fc1.weight, fc1.bias, fc2.weight, fc2.bias} or null
    private final float[] fusionWeights;
    private final Kernels kernels;

    public CpuRewardModel(RewardModelConfig config, Map<String, HostTensor> tensors) {
        this(config, tensors, KernelProvider.get());
    }

    /** With the given kernels (every dot product and axpy goes through them), e.g. {@link KernelProvider#scalar()}. */
    public CpuRewardModel(RewardModelConfig config, Map<String, HostTensor> tensors, Kernels kernels) {
        this.config = config;
        this.kernels = kernels;
        Map<String, HostTensor> checked = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : config.parameterShapes().entrySet()) {
            HostTensor t = tensors.get(e.getKey());
            if (t == null) throw new io.onerec.api.checkpoint.CheckpointException("reward model: missing tensor '" + e.getKey() + "'");
            checked.put(e.getKey(), t.requireShape(e.getKey(), e.getValue()));
        }
        this.tensors = checked;
        embedding = f("item_embedding");
        itemBias = config.itemBias() ? f("item_bias") : null;
        historyFeedback = config.historyFeedback() ? f("history_feedback") : null;
        String[] w = {"q", "k", "v", "o"};
        for (int i = 0; i < 4; i++) {
            targetAttn[i] = f("target_attn." + w[i] + ".weight");
            selfAttn[i] = f("self_attn." + w[i] + ".weight");
        }
        towers = new float[config.objectiveCount()][][];
        for (int k = 0; k < towers.length; k++) {
            String p = "towers." + config.objectives().get(k) + ".";
            towers[k] = new float[][]{f(p + "fc1.weight"), f(p + "fc1.bias"), f(p + "fc2.weight"), f(p + "fc2.bias")};
        }
        fusionMlp = config.fusion() == RewardModelConfig.Fusion.MLP
                ? new float[][]{f("fusion.fc1.weight"), f("fusion.fc1.bias"), f("fusion.fc2.weight"), f("fusion.fc2.bias")}
                : null;
        double[] fw = config.fusionWeights();
        fusionWeights = new float[fw.length];
        for (int k = 0; k < fw.length; k++) fusionWeights[k] = (float) fw[k];
    }

    /** Loads a checkpoint directory of kind {@value RewardModelConfig#KIND}. */
    public static CpuRewardModel load(Path dir) {
        Checkpoint ckpt = Checkpoint.read(dir, RewardModelConfig.KIND);
        return new CpuRewardModel(RewardModelConfig.fromJson(ckpt.config()), ckpt.tensors());
    }

    private float[] f(String name) {
        return tensors.get(name).floats();
    }

    public RewardModelConfig config() {
        return config;
    }

    @Override
    public List<String> objectives() {
        return config.objectives();
    }

    @Override
    public RewardScores score(UserHistory user, List<int[]> sessions) {
        int d = config.dModel();
        UserHistory h = user.lastItems(config.maxHistory());
        int len = h.length();
        float[][] keys = new float[len][], values = new float[len][];
        for (int t = 0; t < len; t++) {
            float[] e = row(h.item(t), "history");
            if (historyFeedback != null && h.hasFeedback()) {
                // (1 - y) F_0 + y F_1, as TorchRewardModel.embedHistory
                float y = h.feedback(t);
                for (int i = 0; i < d; i++) e[i] += (1 - y) * historyFeedback[i] + y * historyFeedback[d + i];
            }
            keys[t] = matVec(targetAttn[1], e, d);
            values[t] = matVec(targetAttn[2], e, d);
        }
        int objectives = config.objectiveCount();
        float[][] per = new float[sessions.size()][objectives];
        float[] fused = new float[sessions.size()];
        for (int s = 0; s < sessions.size(); s++) {
            int[] session = sessions.get(s);
            float[] pooled = pool(session, keys, values);
            for (int k = 0; k < objectives; k++) per[s][k] = sigmoid(tower(towers[k], pooled) + meanItemBias(session, k));
            fused[s] = fuse(per[s]);
        }
        return new RewardScores(config.objectives(), per, fused);
    }

    /** Sum over the session of (item + target attention + self-attention): the towers' input. */
    private float[] pool(int[] session, float[][] keys, float[][] values) {
        if (session == null || session.length == 0) throw new IllegalArgumentException("empty session");
        int d = config.dModel(), m = session.length;
        float scale = (float) (1 / Math.sqrt(d));
        float[][] x = new float[m][];
        for (int j = 0; j < m; j++) {
            float[] e = row(session[j], "session");
            float[] q = matVec(targetAttn[0], e, d);
            // Softmax over the history plus a null slot (score 0, value 0) so that an empty or irrelevant history
            // contributes nothing.
            float[] sc = new float[keys.length + 1];
            float max = 0;
            for (int t = 0; t < keys.length; t++) {
                sc[t + 1] = dot(q, keys[t]) * scale;
                max = Math.max(max, sc[t + 1]);
            }
            float[] att = new float[d];
            double sum = 0;
            for (int t = 0; t <= keys.length; t++) sum += (sc[t] = (float) Math.exp(sc[t] - max));
            for (int t = 0; t < keys.length; t++) axpy((float) (sc[t + 1] / sum), values[t], att);
            float[] ta = matVec(targetAttn[3], att, d);
            for (int i = 0; i < d; i++) ta[i] += e[i];
            x[j] = ta;
        }
        float[][] q = new float[m][], k = new float[m][], v = new float[m][];
        for (int j = 0; j < m; j++) {
            q[j] = matVec(selfAttn[0], x[j], d);
            k[j] = matVec(selfAttn[1], x[j], d);
            v[j] = matVec(selfAttn[2], x[j], d);
        }
        float[] pooled = new float[d];
        for (int j = 0; j < m; j++) {
            float[] sc = new float[m];
            float max = Float.NEGATIVE_INFINITY;
            for (int i = 0; i < m; i++) max = Math.max(max, sc[i] = dot(q[j], k[i]) * scale);
            double sum = 0;
            for (int i = 0; i < m; i++) sum += (sc[i] = (float) Math.exp(sc[i] - max));
            float[] att = new float[d];
            for (int i = 0; i < m; i++) axpy((float) (sc[i] / sum), v[i], att);
            float[] sa = matVec(selfAttn[3], att, d);
            for (int i = 0; i < d; i++) pooled[i] += x[j][i] + sa[i];
        }
        return pooled;
    }

    /** The mean over the session's items of their bias for objective {@code k}; 0 without item bias. */
    private float meanItemBias(int[] session, int k) {
        if (itemBias == null) return 0;
        float s = 0;
        for (int item : session) s += itemBias[item * config.objectiveCount() + k];
        return s / session.length;
    }

    private float tower(float[][] w, float[] in) {
        int hidden = w[1].length;
        float[] h = matVec(w[0], in, hidden);
        float z = w[3][0];
        for (int i = 0; i < hidden; i++) z += w[2][i] * Math.max(0f, h[i] + w[1][i]);
        return z;
    }

    private float fuse(float[] p) {
        if (fusionMlp == null) {
            float s = 0;
            for (int k = 0; k < p.length; k++) s += fusionWeights[k] * p[k];
            return s;
        }
        return sigmoid(tower(fusionMlp, p));
    }

    private float[] row(int item, String where) {
        if (item < 0 || item >= config.itemCount()) {
            throw new IllegalArgumentException("unknown item " + item + " in " + where + " (reward model knows " + config.itemCount() + " items)");
        }
        int d = config.dModel();
        float[] r = new float[d];
        System.arraycopy(embedding, item * d, r, 0, d);
        return r;
    }

    /** y = W x for a row-major W of shape [rows, x.length]. */
    private float[] matVec(float[] w, float[] x, int rows) {
        int cols = x.length;
        float[] y = new float[rows];
        for (int r = 0; r < rows; r++) y[r] = kernels.dot(w, r * cols, x, 0, cols);
        return y;
    }

    private float dot(float[] a, float[] b) {
        return kernels.dot(a, 0, b, 0, a.length);
    }

    private void axpy(float a, float[] x, float[] y) {
        kernels.axpy(a, x, 0, y, 0, x.length);
    }

    private static float sigmoid(float z) {
        return (float) (1 / (1 + Math.exp(-z)));
    }

    @Override
    public void save(Path dir) {
        Checkpoint.write(dir, RewardModelConfig.KIND, config.toJson(), tensors);
    }
}

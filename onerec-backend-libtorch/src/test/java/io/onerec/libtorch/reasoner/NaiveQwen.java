package io.onerec.libtorch.reasoner;

import io.onerec.api.checkpoint.HostTensor;
import io.onerec.api.checkpoint.SafeTensors;
import io.onerec.api.reasoner.QwenConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

/**
 * A plain-Java, one-position-at-a-time Qwen forward pass written from the HF modeling code, independent of the
 * LibTorch implementation: the reference the tests compare against.
 */
final class NaiveQwen {
    private final QwenConfig c;
    private final Map<String, HostTensor> w;

    NaiveQwen(QwenConfig c, Map<String, HostTensor> w) {
        this.c = c;
        this.w = w;
    }

    /** Writes an HF-layout checkpoint with random weights (non-trivial norms and biases too) and returns them. */
    static Map<String, HostTensor> writeRandomCheckpoint(Path dir, QwenConfig c, long seed) throws Exception {
        Random r = new Random(seed);
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : c.parameterShapes().entrySet()) {
            long n = 1;
            for (long s : e.getValue()) n *= s;
            float[] data = new float[(int) n];
            boolean norm = e.getKey().endsWith("norm.weight");
            for (int i = 0; i < n; i++) data[i] = norm ? 1f + 0.2f * (float) r.nextGaussian() : 0.3f * (float) r.nextGaussian();
            tensors.put(e.getKey(), HostTensor.of(data, e.getValue()));
        }
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("config.json"), c.toHf().toJson());
        SafeTensors.write(dir.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        return tensors;
    }

    private float[] get(String n) {
        return w.get(n).floats();
    }

    /** out[r] = sum_j W[r][j] x[j] (+ b[r]); W is [rows, cols] row-major. */
    private static float[] matvec(float[] m, int rows, float[] x, float[] bias) {
        int cols = x.length;
        float[] out = new float[rows];
        for (int r = 0; r < rows; r++) {
            double s = bias == null ? 0 : bias[r];
            for (int j = 0; j < cols; j++) s += (double) m[r * cols + j] * x[j];
            out[r] = (float) s;
        }
        return out;
    }

    private float[] rms(float[] x, int from, int len, float[] weight) {
        double ss = 0;
        for (int i = 0; i < len; i++) ss += (double) x[from + i] * x[from + i];
        double inv = 1.0 / Math.sqrt(ss / len + c.rmsNormEps());
        float[] out = new float[len];
        for (int i = 0; i < len; i++) out[i] = (float) (x[from + i] * inv * weight[i]);
        return out;
    }

    private void rope(float[] v, int from, int pos) {
        int d = c.headDim(), half = d / 2;
        float[] orig = java.util.Arrays.copyOfRange(v, from, from + d);
        for (int i = 0; i < d; i++) {
            int fi = i % half;
            double angle = pos / Math.pow(c.ropeTheta(), 2.0 * fi / d);
            double rot = i < half ? -orig[i + half] : orig[i - half];
            v[from + i] = (float) (orig[i] * Math.cos(angle) + rot * Math.sin(angle));
        }
    }

    /** Logits [T][V] for one sequence. */
    float[][] forward(int[] ids) {
        int t = ids.length, d = c.hiddenSize(), dh = c.headDim(), h = c.numHeads(), kvh = c.numKvHeads();
        float[] emb = get("model.embed_tokens.weight");
        float[][] x = new float[t][];
        for (int p = 0; p < t; p++) x[p] = java.util.Arrays.copyOfRange(emb, ids[p] * d, ids[p] * d + d);
        for (int l = 0; l < c.numLayers(); l++) {
            String pre = "model.layers." + l + ".";
            float[][] q = new float[t][], k = new float[t][], v = new float[t][];
            for (int p = 0; p < t; p++) {
                float[] hn = rms(x[p], 0, d, get(pre + "input_layernorm.weight"));
                q[p] = matvec(get(pre + "self_attn.q_proj.weight"), h * dh, hn, c.attentionBias() ? get(pre + "self_attn.q_proj.bias") : null);
                k[p] = matvec(get(pre + "self_attn.k_proj.weight"), kvh * dh, hn, c.attentionBias() ? get(pre + "self_attn.k_proj.bias") : null);
                v[p] = matvec(get(pre + "self_attn.v_proj.weight"), kvh * dh, hn, c.attentionBias() ? get(pre + "self_attn.v_proj.bias") : null);
                for (int hh = 0; hh < h; hh++) {
                    if (c.qkNorm()) System.arraycopy(rms(q[p], hh * dh, dh, get(pre + "self_attn.q_norm.weight")), 0, q[p], hh * dh, dh);
                    rope(q[p], hh * dh, p);
                }
                for (int hh = 0; hh < kvh; hh++) {
                    if (c.qkNorm()) System.arraycopy(rms(k[p], hh * dh, dh, get(pre + "self_attn.k_norm.weight")), 0, k[p], hh * dh, dh);
                    rope(k[p], hh * dh, p);
                }
            }
            for (int p = 0; p < t; p++) {
                float[] att = new float[h * dh];
                for (int hh = 0; hh < h; hh++) {
                    int kv = hh / (h / kvh);
                    double[] s = new double[p + 1];
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j <= p; j++) {
                        double dot = 0;
                        for (int i = 0; i < dh; i++) dot += (double) q[p][hh * dh + i] * k[j][kv * dh + i];
                        s[j] = dot / Math.sqrt(dh);
                        max = Math.max(max, s[j]);
                    }
                    double z = 0;
                    for (int j = 0; j <= p; j++) z += s[j] = Math.exp(s[j] - max);
                    for (int j = 0; j <= p; j++) for (int i = 0; i < dh; i++) att[hh * dh + i] += (float) (s[j] / z * v[j][kv * dh + i]);
                }
                float[] o = matvec(get(pre + "self_attn.o_proj.weight"), d, att, null);
                for (int i = 0; i < d; i++) x[p][i] += o[i];
            }
            for (int p = 0; p < t; p++) {
                float[] hn = rms(x[p], 0, d, get(pre + "post_attention_layernorm.weight"));
                float[] g = matvec(get(pre + "mlp.gate_proj.weight"), c.intermediateSize(), hn, null);
                float[] u = matvec(get(pre + "mlp.up_proj.weight"), c.intermediateSize(), hn, null);
                for (int i = 0; i < g.length; i++) g[i] = (float) (g[i] / (1 + Math.exp(-g[i])) * u[i]);
                float[] down = matvec(get(pre + "mlp.down_proj.weight"), d, g, null);
                for (int i = 0; i < d; i++) x[p][i] += down[i];
            }
        }
        float[] head = c.tieWordEmbeddings() ? emb : get("lm_head.weight");
        float[][] logits = new float[t][];
        for (int p = 0; p < t; p++) logits[p] = matvec(head, c.vocabSize(), rms(x[p], 0, d, get("model.norm.weight")), null);
        return logits;
    }
}

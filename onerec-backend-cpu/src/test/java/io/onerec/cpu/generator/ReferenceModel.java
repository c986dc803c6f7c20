package io.onerec.cpu.generator;

import io.onerec.api.checkpoint.HostTensor;
import io.onerec.api.generator.GeneratorConfig;

import java.util.Map;

/**
 * A deliberately naive re-statement of docs/generator-model.md in double precision, straight from the checkpoint
 * tensors (no packing, no cache, no batching): the full decoder is recomputed over the whole prefix. Tests compare
 * the optimised decoder against it.
 */
final class ReferenceModel {
    private final GeneratorConfig c;
    private final Map<String, HostTensor> t;
    private final int d;

    ReferenceModel(GeneratorConfig config, Map<String, HostTensor> tensors) {
        this.c = config;
        this.t = tensors;
        this.d = config.dModel();
    }

    private float[] w(String name) {
        return t.get(name).floats();
    }

    /** Encoder output for P-token positions, [positions][d]. */
    double[][] encode(int[] tokens) {
        int p = c.codeLevels(), n = tokens.length / p;
        double[][] x = new double[n][d];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < d; i++) x[j][i] = w("encoder.pos_embedding")[j * d + i];
            for (int l = 0; l < p; l++) {
                int tok = tokens[j * p + l];
                if (tok == GeneratorConfig.PAD) continue;
                for (int i = 0; i < d; i++) x[j][i] += w("shared.embedding")[tok * d + i];
            }
        }
        for (int layer = 0; layer < c.encoderLayers(); layer++) {
            String pre = "encoder.layers." + layer + ".";
            double[][] h = norm(x, pre + "attn_norm.weight");
            add(x, linear(attention(linear(h, pre + "attn.q.weight"), linear(h, pre + "attn.k.weight"),
                    linear(h, pre + "attn.v.weight"), false), pre + "attn.o.weight"));
            add(x, ffn(norm(x, pre + "ffn_norm.weight"), pre + "ffn."));
        }
        return norm(x, "encoder.final_norm.weight");
    }

    /** Restricted log-probs of code position {@code level} after the whole decoder input (last position's output). */
    double[] logProbs(double[][] enc, int[] decoderInput, int level) {
        int n = decoderInput.length;
        double[][] x = new double[n][d];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < d; i++) {
                x[j][i] = w("shared.embedding")[decoderInput[j] * d + i] + w("decoder.pos_embedding")[j * d + i];
            }
        }
        for (int layer = 0; layer < c.decoderLayers(); layer++) {
            String pre = "decoder.layers." + layer + ".";
            double[][] h = norm(x, pre + "self_attn_norm.weight");
            add(x, linear(attention(linear(h, pre + "self_attn.q.weight"), linear(h, pre + "self_attn.k.weight"),
                    linear(h, pre + "self_attn.v.weight"), true), pre + "self_attn.o.weight"));
            h = norm(x, pre + "cross_attn_norm.weight");
            add(x, linear(attention(linear(h, pre + "cross_attn.q.weight"), linear(enc, pre + "cross_attn.k.weight"),
                    linear(enc, pre + "cross_attn.v.weight"), false), pre + "cross_attn.o.weight"));
            h = norm(x, pre + "ffn_norm.weight");
            add(x, c.moe() ? moe(h, pre + "moe.") : ffn(h, pre + "ffn."));
        }
        double[] last = norm(x, "decoder.final_norm.weight")[n - 1];
        int k = c.codebookSize(level), off = c.codeTokenOffset(level);
        double[] logits = new double[k];
        float[] head = w("lm_head.weight");
        for (int j = 0; j < k; j++) for (int i = 0; i < d; i++) logits[j] += head[(off + j) * d + i] * last[i];
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (double v : logits) max = Math.max(max, v);
        for (double v : logits) sum += Math.exp(v - max);
        for (int j = 0; j < k; j++) logits[j] -= max + Math.log(sum);
        return logits;
    }

    private double[][] norm(double[][] x, String weight) {
        float[] g = w(weight);
        double[][] out = new double[x.length][d];
        for (int r = 0; r < x.length; r++) {
            double ss = 0;
            for (double v : x[r]) ss += v * v;
            double inv = 1 / Math.sqrt(ss / d + c.normEps());
            for (int i = 0; i < d; i++) out[r][i] = x[r][i] * inv * g[i];
        }
        return out;
    }

    private double[][] linear(double[][] x, String weight) {
        HostTensor wt = t.get(weight);
        int out = (int) wt.dim(0), in = (int) wt.dim(1);
        float[] m = wt.floats();
        double[][] y = new double[x.length][out];
        for (int r = 0; r < x.length; r++) {
            for (int o = 0; o < out; o++) {
                double s = 0;
                for (int i = 0; i < in; i++) s += m[o * in + i] * x[r][i];
                y[r][o] = s;
            }
        }
        return y;
    }

    private static void add(double[][] x, double[][] y) {
        for (int r = 0; r < x.length; r++) for (int i = 0; i < x[r].length; i++) x[r][i] += y[r][i];
    }

    private double[][] attention(double[][] q, double[][] k, double[][] v, boolean causal) {
        int heads = c.nHeads(), dh = c.headDim();
        double[][] out = new double[q.length][d];
        for (int i = 0; i < q.length; i++) {
            for (int h = 0; h < heads; h++) {
                int keys = causal ? i + 1 : k.length;
                double[] s = new double[keys];
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < keys; j++) {
                    for (int e = 0; e < dh; e++) s[j] += q[i][h * dh + e] * k[j][h * dh + e];
                    s[j] /= Math.sqrt(dh);
                    max = Math.max(max, s[j]);
                }
                double sum = 0;
                for (int j = 0; j < keys; j++) sum += s[j] = Math.exp(s[j] - max);
                for (int j = 0; j < keys; j++) for (int e = 0; e < dh; e++) out[i][h * dh + e] += s[j] / sum * v[j][h * dh + e];
            }
        }
        return out;
    }

    private double[][] ffn(double[][] x, String prefix) {
        double[][] a = linear(x, prefix + "wi.weight");
        for (double[] row : a) for (int i = 0; i < row.length; i++) row[i] = Math.max(0, row[i]);
        return linear(a, prefix + "wo.weight");
    }

    private double[][] moe(double[][] x, String prefix) {
        double[][] r = linear(x, prefix + "router.weight");
        double[][] out = new double[x.length][d];
        for (int row = 0; row < x.length; row++) {
            int e = c.moeExperts();
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (double v : r[row]) max = Math.max(max, v);
            double[] p = new double[e];
            for (int j = 0; j < e; j++) sum += p[j] = Math.exp(r[row][j] - max);
            for (int j = 0; j < e; j++) p[j] /= sum;
            boolean[] picked = new boolean[e];
            double kept = 0;
            for (int k = 0; k < c.moeTopK(); k++) {
                int best = -1;
                for (int j = 0; j < e; j++) if (!picked[j] && (best < 0 || p[j] > p[best])) best = j;
                picked[best] = true;
                kept += p[best];
            }
            for (int j = 0; j < e; j++) {
                if (!picked[j]) continue;
                double[][] y = ffn(new double[][]{x[row]}, prefix + "experts." + j + ".");
                for (int i = 0; i < d; i++) out[row][i] += p[j] / kept * y[0][i];
            }
        }
        return out;
    }
}

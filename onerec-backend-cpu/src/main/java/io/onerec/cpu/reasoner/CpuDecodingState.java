package io.onerec.cpu.reasoner;

import io.onerec.api.reasoner.DecodingState;
import io.onerec.core.vector.Kernels;

import java.util.Arrays;

/**
 * Incremental decoding of a {@link CpuQwenModel}. Each row owns, per layer, one growing array of rotated keys and
 * one of values ({@code [position][kvHeads * headDim]}). All rows of a step go through one GEMM per weight matrix;
 * attention is per row and head over that row's cache. Work buffers are sized for the current row count and reused
 * across steps.
 */
final class CpuDecodingState implements DecodingState {
    private final CpuQwenModel m;
    private final Kernels k;
    private int rows, length;
    /** [row][layer] keys and values, capacity a multiple of kvDim. */
    private float[][][] keys, values;
    private float[] logits;
    private float[] x, h, qkv, attn, act, gateUp, scores, rotated;
    /** Row views of the flat key/value cache for {@link Kernels#attend}: n references to one array, offsets j * kvDim. */
    private float[][] keyRows = new float[0][], valueRows = new float[0][];
    private int[] rowOff = new int[0];

    private CpuDecodingState(CpuQwenModel m, int rows) {
        this.m = m;
        this.k = m.k;
        this.rows = rows;
        keys = new float[rows][m.layers.length][];
        values = new float[rows][m.layers.length][];
        for (int r = 0; r < rows; r++) {
            for (int l = 0; l < m.layers.length; l++) {
                keys[r][l] = new float[16 * m.kvDim];
                values[r][l] = new float[16 * m.kvDim];
            }
        }
        scores = new float[16];
        rotated = new float[m.dh];
    }

    static CpuDecodingState start(CpuQwenModel m, int[] prefix, int rows) {
        if (prefix.length == 0) throw new IllegalArgumentException("decoding needs a non-empty prefix");
        if (rows < 1) throw new IllegalArgumentException("rows must be >= 1, got " + rows);
        CpuDecodingState s = new CpuDecodingState(m, 1);
        // The prefix runs one position at a time through the cached path; only its last position needs logits.
        for (int i = 0; i < prefix.length; i++) s.step(new int[]{prefix[i]}, i == prefix.length - 1);
        if (rows > 1) s.select(new int[rows]);
        return s;
    }

    @Override
    public int rows() {
        return rows;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public float[] logits() {
        return logits;
    }

    @Override
    public void append(int[] tokens) {
        if (tokens.length != rows) throw new IllegalArgumentException(tokens.length + " tokens for " + rows + " rows");
        step(tokens, true);
    }

    @Override
    public void select(int[] keep) {
        if (keep.length == 0) throw new IllegalArgumentException("select needs at least one row");
        int v = m.vocab;
        boolean[] taken = new boolean[rows];
        float[][][] nk = new float[keep.length][][], nv = new float[keep.length][][];
        float[] nl = logits == null ? null : new float[keep.length * v];
        for (int i = 0; i < keep.length; i++) {
            int r = keep[i];
            if (r < 0 || r >= rows) throw new IllegalArgumentException("row " + r + " outside [0, " + rows + ")");
            if (!taken[r]) {
                // First use of a row moves its cache; a row kept again (beam split) gets a copy.
                taken[r] = true;
                nk[i] = keys[r];
                nv[i] = values[r];
            } else {
                nk[i] = copy(keys[r]);
                nv[i] = copy(values[r]);
            }
            if (nl != null) System.arraycopy(logits, r * v, nl, i * v, v);
        }
        keys = nk;
        values = nv;
        logits = nl;
        rows = keep.length;
    }

    private float[][] copy(float[][] perLayer) {
        float[][] out = new float[perLayer.length][];
        for (int l = 0; l < out.length; l++) out[l] = Arrays.copyOf(perLayer[l], Math.max(16, length + 1) * m.kvDim);
        return out;
    }

    @Override
    public void close() {
        keys = values = null;
    }

    /** One position for every row: token {@code tokens[r]} of row r at position {@link #length}. */
    private void step(int[] tokens, boolean wantLogits) {
        if (keys == null) throw new IllegalStateException("decoding state is closed");
        int d = m.d, qkvWidth = m.qDim + 2 * m.kvDim, pos = length;
        ensureBuffers();
        for (int r = 0; r < rows; r++) {
            int t = tokens[r];
            if (t < 0 || t >= m.vocab) throw new IllegalArgumentException("token id " + t + " outside [0, " + m.vocab + ")");
            System.arraycopy(m.embedding, t * d, x, r * d, d);
        }
        double[] cos = new double[m.invFreq.length], sin = new double[m.invFreq.length];
        for (int i = 0; i < cos.length; i++) {
            double angle = pos * m.invFreq[i];
            cos[i] = (float) Math.cos(angle);
            sin[i] = (float) Math.sin(angle);
        }
        float scale = (float) (1.0 / Math.sqrt(m.dh));
        int groups = m.heads / m.kvHeads;
        for (int l = 0; l < m.layers.length; l++) {
            CpuQwenModel.Layer w = m.layers[l];
            rmsNorm(x, rows, d, w.inputNorm(), h);
            k.matmul(h, 0, rows, w.qkv(), qkv, 0, false);
            for (int r = 0; r < rows; r++) {
                int base = r * qkvWidth;
                if (w.qkvBias() != null) k.axpy(1f, w.qkvBias(), 0, qkv, base, qkvWidth);
                float[] kc = grow(keys[r], l, pos), vc = grow(values[r], l, pos);
                for (int hq = 0; hq < m.heads; hq++) {
                    int off = base + hq * m.dh;
                    if (w.qNorm() != null) rmsNorm(qkv, off, m.dh, w.qNorm());
                    rope(qkv, off, cos, sin);
                }
                for (int hk = 0; hk < m.kvHeads; hk++) {
                    int off = base + m.qDim + hk * m.dh;
                    if (w.kNorm() != null) rmsNorm(qkv, off, m.dh, w.kNorm());
                    rope(qkv, off, cos, sin);
                }
                System.arraycopy(qkv, base + m.qDim, kc, pos * m.kvDim, m.kvDim);
                System.arraycopy(qkv, base + m.qDim + m.kvDim, vc, pos * m.kvDim, m.kvDim);
                for (int hq = 0; hq < m.heads; hq++) {
                    attend(qkv, base + hq * m.dh, kc, vc, (hq / groups) * m.dh, pos + 1, scale, attn, r * m.qDim + hq * m.dh);
                }
            }
            k.matmul(attn, 0, rows, w.o(), x, 0, true);
            rmsNorm(x, rows, d, w.postNorm(), h);
            k.matmul(h, 0, rows, w.gateUp(), gateUp, 0, false);
            for (int r = 0; r < rows; r++) {
                int g = r * 2 * m.ff;
                for (int i = 0; i < m.ff; i++) {
                    float gate = gateUp[g + i];
                    act[r * m.ff + i] = gate / (1f + (float) Math.exp(-gate)) * gateUp[g + m.ff + i];
                }
            }
            k.matmul(act, 0, rows, w.down(), x, 0, true);
        }
        length++;
        if (!wantLogits) return;
        rmsNorm(x, rows, d, m.finalNorm, h);
        logits = new float[rows * m.vocab];
        k.matmul(h, 0, rows, m.lmHead, logits, 0, false);
    }

    private void ensureBuffers() {
        int d = m.d;
        if (x == null || x.length < rows * d) {
            x = new float[rows * d];
            h = new float[rows * d];
            qkv = new float[rows * (m.qDim + 2 * m.kvDim)];
            attn = new float[rows * m.qDim];
            gateUp = new float[rows * 2 * m.ff];
            act = new float[rows * m.ff];
        }
        if (scores.length < length + 1) scores = new float[Math.max(2 * scores.length, length + 1)];
    }

    /** Makes room for position {@code pos} in the cache array of one layer and returns it. */
    private float[] grow(float[][] perLayer, int layer, int pos) {
        float[] a = perLayer[layer];
        if (a.length < (pos + 1) * m.kvDim) {
            a = Arrays.copyOf(a, Math.max(2 * a.length, (pos + 1) * m.kvDim));
            perLayer[layer] = a;
        }
        return a;
    }

    /**
     * {@code out[outOff, +dh) = softmax(q . k_j * scale) . v_j} over cached positions j < n of one key/value head,
     * through {@link Kernels#attend} (the attention the generator uses too): the flat cache is passed as n rows of
     * the same array at offsets {@code j * kvDim}.
     */
    private void attend(float[] q, int qOff, float[] kc, float[] vc, int headOff, int n, float scale, float[] out, int outOff) {
        if (keyRows.length < n) {
            int cap = Math.max(2 * keyRows.length, n);
            keyRows = new float[cap][];
            valueRows = new float[cap][];
            rowOff = new int[cap];
            for (int j = 0; j < cap; j++) rowOff[j] = j * m.kvDim;
        }
        Arrays.fill(keyRows, 0, n, kc);
        Arrays.fill(valueRows, 0, n, vc);
        k.attend(q, qOff, keyRows, valueRows, rowOff, headOff, headOff, n, m.dh, scale, scores, out, outOff);
    }

    /** HF rotate-half RoPE in place on {@code v[off, off + dh)}: x cos + rotate_half(x) sin. */
    private void rope(float[] v, int off, double[] cos, double[] sin) {
        int half = m.dh / 2;
        for (int i = 0; i < half; i++) {
            float a = v[off + i], b = v[off + half + i];
            rotated[i] = (float) (a * cos[i] - b * sin[i]);
            rotated[half + i] = (float) (b * cos[i] + a * sin[i]);
        }
        System.arraycopy(rotated, 0, v, off, m.dh);
    }

    private void rmsNorm(float[] in, int rowCount, int n, float[] weight, float[] out) {
        Kernels.rmsNorm(in, 0, rowCount, n, weight, m.c.rmsNormEps(), out, 0);
    }

    /** In place on one head: {@code v[off, off + n)}. */
    private void rmsNorm(float[] v, int off, int n, float[] weight) {
        Kernels.rmsNorm(v, off, 1, n, weight, m.c.rmsNormEps(), v, off);
    }
}

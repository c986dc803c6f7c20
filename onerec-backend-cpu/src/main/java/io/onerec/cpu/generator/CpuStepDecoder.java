package io.onerec.cpu.generator;

import io.onerec.api.UserHistory;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.api.generator.GeneratorTokens;
import io.onerec.api.generator.StepDecoder;
import io.onerec.core.vector.Kernels;

import java.util.Arrays;
import java.util.List;

/**
 * Incremental decoding on the CPU. All beam slots of all users of a session go through one GEMM per weight matrix
 * per step. Cross-attention keys/values are computed once per user and shared by its slots. The self-attention
 * cache is never moved: slot s writes its key/value for position t into row s of that position's array, and each
 * slot keeps an index of which row holds each earlier position of its own history, so reordering beams copies t
 * ints per slot instead of t * 2d floats.
 */
public final class CpuStepDecoder implements StepDecoder {
    private final GeneratorWeights w;
    private final GeneratorTokens vocab;

    /**
     * The sparse head computes the dense logits (one GEMM) and picks the listed ones when the lists hold at least this
     * share of the computed rows' codebook logits, e.g. the first level of a later item, where every beam lists the
     * root's children.
     */
    static final double DENSE_PICK_SHARE = 0.5;
    private final double densePickShare;

    public CpuStepDecoder(GeneratorWeights weights, GeneratorTokens vocab) {
        this(weights, vocab, DENSE_PICK_SHARE);
    }

    /** With another dense-pick threshold, so that tests exercise both paths of the sparse head. */
    CpuStepDecoder(GeneratorWeights weights, GeneratorTokens vocab, double densePickShare) {
        this.w = weights;
        this.vocab = vocab;
        this.densePickShare = densePickShare;
    }

    @Override
    public CpuSession start(List<UserHistory> users, int beamWidth) {
        return new CpuSession(users, beamWidth);
    }

    /** Decoding state of one batch of users; all buffers are allocated here, none per step. */
    public final class CpuSession implements Session {
        private final GeneratorConfig c = w.config();
        private final Kernels k = w.kernels();
        private final int d = c.dModel(), dh = c.headDim(), heads = c.nHeads(), maxLen = c.maxDecoderLen();
        private final float scale = (float) (1.0 / Math.sqrt(dh));
        private final int beamWidth, slots;
        /** Encoder rows of each user: {@code [encStart[u], encStart[u] + encLen[u])}. */
        private final int[] encStart, encLen;
        /** Per decoder layer: [encoder rows][2d], key then value. */
        private final float[][] crossKv;
        /** Per decoder layer and position: [slots][2d], key then value; allocated when the position is reached. */
        private final float[][][] selfKv;
        private int[][] rowOf, rowOfNext;
        /** Slot computed in each row of this step (all slots, or one per user on the first step). */
        private final int[] slotOfRow;
        private final float[] x, h, qkv, attn, ff, scores;
        private final float[][] keyArrays;
        private final int[] keyOff;
        private final float[][] logProbs;
        /** The sparse head's output, reused across steps (grown when a step lists more codes). */
        private float[] sparseOut = new float[0];
        /** Per user, the encoder output at the latest history position (BOS inputs add it), or null. */
        private final float[] lastState;
        /** Per user, the encoder output at the latest position: the state the item head reads. */
        private final float[] finalState;
        private final Moe moe;
        private int position;

        CpuSession(List<UserHistory> users, int beamWidth) {
            if (beamWidth < 1) throw new IllegalArgumentException("beamWidth must be >= 1, got " + beamWidth);
            this.beamWidth = beamWidth;
            this.slots = users.size() * beamWidth;
            int u = users.size();
            encStart = new int[u];
            encLen = new int[u];
            int p = c.codeLevels();
            int[][] tokens = new int[u][];
            int[][] items = c.itemEmbeddings() ? new int[u][] : null;
            int rows = 0, longest = 1;
            for (int i = 0; i < u; i++) {
                tokens[i] = vocab.encoderTokens(users.get(i));
                if (items != null) items[i] = vocab.encoderItems(users.get(i));
                encStart[i] = rows;
                encLen[i] = tokens[i].length / p;
                rows += encLen[i];
                longest = Math.max(longest, encLen[i]);
            }
            int n = Math.max(slots, rows);
            x = new float[n * d];
            h = new float[n * d];
            qkv = new float[n * 3 * d];
            attn = new float[n * d];
            ff = new float[n * c.dFf()];
            scores = new float[Math.max(maxLen, longest)];
            keyArrays = new float[scores.length][];
            keyOff = new int[scores.length];
            float[] enc = encode(tokens, items, rows);
            finalState = new float[u * d];
            for (int i = 0; i < u; i++) System.arraycopy(enc, (encStart[i] + encLen[i] - 1) * d, finalState, i * d, d);
            lastState = c.bosReadsLastState() ? finalState : null;
            crossKv = new float[c.decoderLayers()][];
            for (int l = 0; l < crossKv.length; l++) {
                crossKv[l] = new float[rows * 2 * d];
                k.matmul(enc, 0, rows, w.decoderLayers[l].crossKv(), crossKv[l], 0, false);
            }
            selfKv = new float[c.decoderLayers()][maxLen][];
            rowOf = new int[slots][maxLen];
            rowOfNext = new int[slots][maxLen];
            slotOfRow = new int[slots];
            logProbs = new float[p][];
            // Allocated on first use: a search with the sparse head never needs the dense [slots, K] rows.
            moe = c.moe() ? new Moe(slots) : null;
        }

        public int slots() {
            return slots;
        }

        /** The item head: each user's final encoder state against every item-ID embedding (one GEMM), [users][item_vocab]. */
        @Override
        public float[] itemLogits() {
            int users = encStart.length;
            float[] out = new float[users * c.itemVocab()];
            k.matmul(finalState, 0, users, w.itemHead(), out, 0, false);
            return out;
        }

        /** Encoder over all users' positions at once (GEMMs over the concatenation, attention per user). */
        private float[] encode(int[][] tokens, int[][] items, int rows) {
            int p = c.codeLevels();
            float[] e = new float[rows * d];
            for (int u = 0; u < tokens.length; u++) {
                for (int j = 0; j < encLen[u]; j++) {
                    int o = (encStart[u] + j) * d;
                    System.arraycopy(w.encoderPos, j * d, e, o, d);
                    for (int l = 0; l < p; l++) {
                        int t = tokens[u][j * p + l];
                        if (t != GeneratorConfig.PAD) k.axpy(1f, w.embedding, t * d, e, o, d);
                    }
                    if (items != null && items[u][j] >= 0) k.axpy(1f, w.itemEmbedding, items[u][j] * d, e, o, d);
                }
            }
            for (GeneratorWeights.EncoderLayer layer : w.encoderLayers) {
                Ops.rmsNorm(e, rows, d, layer.attnNorm(), c.normEps(), h);
                k.matmul(h, 0, rows, layer.qkv(), qkv, 0, false);
                for (int u = 0; u < tokens.length; u++) {
                    int len = encLen[u];
                    for (int j = 0; j < len; j++) keyArrays[j] = qkv;
                    for (int i = 0; i < len; i++) {
                        int row = encStart[u] + i;
                        int keys = c.causalEncoder() ? i + 1 : len; // a causal encoder position sees itself and older ones
                        for (int hd = 0; hd < heads; hd++) {
                            int ho = hd * dh;
                            for (int j = 0; j < keys; j++) keyOff[j] = (encStart[u] + j) * 3 * d + d + ho;
                            Ops.attend(k, qkv, row * 3 * d + ho, keyArrays, keyOff, keys, d, dh, scale, scores, attn, row * d + ho);
                        }
                    }
                }
                k.matmul(attn, 0, rows, layer.o(), e, 0, true);
                Ops.rmsNorm(e, rows, d, layer.ffnNorm(), c.normEps(), h);
                ffn(layer.ffn(), rows, e);
            }
            float[] out = new float[rows * d];
            Ops.rmsNorm(e, rows, d, w.encoderFinalNorm, c.normEps(), out);
            return out;
        }

        /** {@code x += wo(relu(wi h))} for the first {@code rows} rows of {@code h}. */
        private void ffn(GeneratorWeights.Ffn f, int rows, float[] x) {
            k.matmul(h, 0, rows, f.wi(), ff, 0, false);
            Ops.relu(ff, rows * c.dFf());
            k.matmul(ff, 0, rows, f.wo(), x, 0, true);
        }

        @Override
        public float[] step(int[] tokens, int[] parents, int level) {
            if (level >= c.codeLevels()) throw new IllegalArgumentException("level " + level + " >= " + c.codeLevels());
            boolean shared = feed(tokens, parents);
            if (level < 0) return null;
            int rows = shared ? slots / beamWidth : slots;
            Ops.rmsNorm(x, rows, d, w.decoderFinalNorm, c.normEps(), h);
            float[] out = logProbs[level];
            if (out == null) out = logProbs[level] = new float[slots * c.codebookSize(level)];
            k.logSoftmaxLogits(h, rows, w.levelHeads[level], out);
            if (shared) {
                // Row u -> slots u*b .. u*b+b-1; descending so no source row is overwritten before it is copied.
                int kk = c.codebookSize(level);
                for (int u = rows - 1; u >= 0; u--) {
                    for (int j = beamWidth - 1; j >= 0; j--) System.arraycopy(out, u * kk, out, (u * beamWidth + j) * kk, kk);
                }
            }
            return out;
        }

        /**
         * The sparse head: one dot product of the slot's final hidden state with the lm_head row of each listed code
         * (Panama {@code dot} where available), then a log-softmax over the slot's list. Nothing else is computed:
         * below the first level a slot's list holds its trie node's few children instead of the whole codebook.
         */
        @Override
        public float[] stepSparse(int[] tokens, int[] parents, int level, int[] offsets, int[] codes) {
            if (level < 0 || level >= c.codeLevels()) {
                throw new IllegalArgumentException("a sparse step needs a code level in [0, " + c.codeLevels() + "), got " + level);
            }
            if (tokens.length != slots) throw new IllegalArgumentException("expected " + slots + " slots, got " + tokens.length + " tokens");
            io.onerec.api.generator.SparseCodes.validate(offsets, codes, slots, c.codebookSize(level), level);
            boolean shared = feed(tokens, parents);
            int rows = shared ? slots / beamWidth : slots;
            Ops.rmsNorm(x, rows, d, w.decoderFinalNorm, c.normEps(), h);
            int total = offsets[slots];
            if (sparseOut.length < total) sparseOut = new float[Math.max(total, 2 * sparseOut.length)];
            float[] out = sparseOut;
            float[] head = w.lmHead;
            int first = c.codeTokenOffset(level), kk = c.codebookSize(level);
            // Lists that cover much of the codebook are cheaper as the dense GEMM, whose logits are then picked.
            float[] dense = null;
            if ((double) total >= densePickShare * rows * kk) {
                dense = logProbs[level];
                if (dense == null) dense = logProbs[level] = new float[slots * kk];
                k.matmul(h, 0, rows, w.levelHeads[level], dense, 0, false);
            }
            for (int s = 0; s < slots; s++) {
                int from = offsets[s], to = offsets[s + 1];
                if (from == to) continue;
                int row = shared ? s / beamWidth : s;
                if (dense != null) {
                    for (int i = from; i < to; i++) out[i] = dense[row * kk + codes[i]];
                } else {
                    for (int i = from; i < to; i++) out[i] = k.dot(h, row * d, head, (first + codes[i]) * d, d);
                }
                io.onerec.api.generator.SparseCodes.logSoftmaxInPlace(out, from, to - from);
            }
            return out;
        }

        /**
         * Feeds one token per slot through the decoder layers (after reordering the caches by parent); leaves the
         * last layer's output of each computed row in {@code x}. Returns whether the rows are one per user (the
         * first step, where a user's slots share one state) rather than one per slot.
         */
        private boolean feed(int[] tokens, int[] parents) {
            if (tokens.length != slots || parents.length != slots) {
                throw new IllegalArgumentException("expected " + slots + " slots, got " + tokens.length + " tokens and " + parents.length + " parents");
            }
            if (position >= maxLen) {
                throw new IllegalStateException("decoder position " + position + " exceeds max_decoder_len " + maxLen);
            }
            int t = position;
            // First step: a user's slots all read the same token over an empty cache, so they have identical
            // states; compute one row per user and let every slot share its cache row and output.
            boolean shared = t == 0 && beamWidth > 1 && uniformPerUser(tokens);
            int rows = shared ? slots / beamWidth : slots;
            for (int i = 0; i < rows; i++) slotOfRow[i] = shared ? i * beamWidth : i;
            for (int s = 0; s < slots; s++) {
                int par = parents[s];
                if (par < 0 || par >= slots || par / beamWidth != s / beamWidth) {
                    throw new IllegalArgumentException("slot " + s + " has parent " + par + " outside its user's slots");
                }
                int tok = tokens[s];
                if (tok < 0 || tok >= c.vocabSize()) throw new IllegalArgumentException("token " + tok + " outside the vocabulary");
                System.arraycopy(rowOf[par], 0, rowOfNext[s], 0, t);
                rowOfNext[s][t] = shared ? s - s % beamWidth : s;
            }
            int[][] swap = rowOf;
            rowOf = rowOfNext;
            rowOfNext = swap;
            for (int i = 0; i < rows; i++) {
                System.arraycopy(w.decoderPos, t * d, x, i * d, d);
                k.axpy(1f, w.embedding, tokens[slotOfRow[i]] * d, x, i * d, d);
                if (lastState != null && tokens[slotOfRow[i]] == GeneratorConfig.BOS) {
                    k.axpy(1f, lastState, (slotOfRow[i] / beamWidth) * d, x, i * d, d);
                }
            }
            for (int l = 0; l < w.decoderLayers.length; l++) layer(l, t, rows);
            position++;
            return shared;
        }

        private boolean uniformPerUser(int[] tokens) {
            for (int s = 0; s < slots; s++) if (tokens[s] != tokens[s - s % beamWidth]) return false;
            return true;
        }

        /** One decoder layer over {@code n} computed rows; row i is slot {@code slotOfRow[i]}. */
        private void layer(int l, int t, int n) {
            GeneratorWeights.DecoderLayer layer = w.decoderLayers[l];
            int d2 = 2 * d, d3 = 3 * d;
            // Causal self-attention with the cache.
            Ops.rmsNorm(x, n, d, layer.selfNorm(), c.normEps(), h);
            k.matmul(h, 0, n, layer.selfQkv(), qkv, 0, false);
            float[] kv = selfKv[l][t];
            if (kv == null) kv = selfKv[l][t] = new float[slots * d2];
            for (int i = 0; i < n; i++) System.arraycopy(qkv, i * d3 + d, kv, slotOfRow[i] * d2, d2);
            for (int j = 0; j <= t; j++) keyArrays[j] = selfKv[l][j];
            for (int i = 0; i < n; i++) {
                int[] rows = rowOf[slotOfRow[i]];
                for (int hd = 0; hd < heads; hd++) {
                    int ho = hd * dh;
                    for (int j = 0; j <= t; j++) keyOff[j] = rows[j] * d2 + ho;
                    Ops.attend(k, qkv, i * d3 + ho, keyArrays, keyOff, t + 1, d, dh, scale, scores, attn, i * d + ho);
                }
            }
            k.matmul(attn, 0, n, layer.selfO(), x, 0, true);
            // Cross-attention over the slot's user's encoder output.
            Ops.rmsNorm(x, n, d, layer.crossNorm(), c.normEps(), h);
            k.matmul(h, 0, n, layer.crossQ(), qkv, 0, false);
            float[] ckv = crossKv[l];
            for (int i = 0; i < n; i++) {
                int u = slotOfRow[i] / beamWidth, len = encLen[u], start = encStart[u];
                for (int hd = 0; hd < heads; hd++) {
                    int ho = hd * dh;
                    for (int j = 0; j < len; j++) {
                        keyArrays[j] = ckv;
                        keyOff[j] = (start + j) * d2 + ho;
                    }
                    Ops.attend(k, qkv, i * d + ho, keyArrays, keyOff, len, d, dh, scale, scores, attn, i * d + ho);
                }
            }
            k.matmul(attn, 0, n, layer.crossO(), x, 0, true);
            Ops.rmsNorm(x, n, d, layer.ffnNorm(), c.normEps(), h);
            if (moe == null) ffn(layer.ffn(), n, x);
            else moe.apply(layer, n);
        }

        @Override
        public void close() {
            // Plain heap buffers: nothing to release.
        }

        /**
         * Top-k mixture of experts: slots are gathered per expert so each expert runs one GEMM over only the slots
         * routed to it (not the dense every-expert-on-every-slot form), then scattered back with their gate.
         */
        private final class Moe {
            private final int experts = c.moeExperts(), topK = c.moeTopK();
            private final float[] logits, gathered, out;
            private final int[][] members;
            private final float[][] gates;
            private final int[] counts;

            Moe(int n) {
                logits = new float[n * experts];
                gathered = new float[n * d];
                out = new float[n * d];
                members = new int[experts][n];
                gates = new float[experts][n];
                counts = new int[experts];
            }

            void apply(GeneratorWeights.DecoderLayer layer, int n) {
                k.matmul(h, 0, n, layer.router(), logits, 0, false);
                Arrays.fill(counts, 0);
                for (int s = 0; s < n; s++) route(s);
                for (int e = 0; e < experts; e++) {
                    int cnt = counts[e];
                    if (cnt == 0) continue;
                    for (int i = 0; i < cnt; i++) System.arraycopy(h, members[e][i] * d, gathered, i * d, d);
                    GeneratorWeights.Ffn f = layer.experts()[e];
                    k.matmul(gathered, 0, cnt, f.wi(), ff, 0, false);
                    Ops.relu(ff, cnt * c.dFf());
                    k.matmul(ff, 0, cnt, f.wo(), out, 0, false);
                    for (int i = 0; i < cnt; i++) k.axpy(gates[e][i], out, i * d, x, members[e][i] * d, d);
                }
            }

            /** softmax over router logits, keep the top-k (ties: lower expert), renormalise. */
            private void route(int s) {
                int o = s * experts;
                float max = Float.NEGATIVE_INFINITY;
                for (int e = 0; e < experts; e++) max = Math.max(max, logits[o + e]);
                float sum = 0;
                for (int e = 0; e < experts; e++) {
                    logits[o + e] = (float) Math.exp(logits[o + e] - max);
                    sum += logits[o + e];
                }
                for (int e = 0; e < experts; e++) logits[o + e] /= sum;
                // Selection by repeated arg-max over at most a handful of experts; picked ones are marked negative.
                float kept = 0;
                for (int j = 0; j < topK; j++) {
                    int best = -1;
                    for (int e = 0; e < experts; e++) if (logits[o + e] >= 0 && (best < 0 || logits[o + e] > logits[o + best])) best = e;
                    kept += logits[o + best];
                    members[best][counts[best]] = s;
                    gates[best][counts[best]++] = logits[o + best];
                    logits[o + best] = -1f - logits[o + best];
                }
                for (int e = 0; e < experts; e++) {
                    if (logits[o + e] < 0 && counts[e] > 0 && members[e][counts[e] - 1] == s) gates[e][counts[e] - 1] /= kept;
                }
            }
        }
    }
}

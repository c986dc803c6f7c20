package io.onerec.libtorch.generator;

import io.onerec.api.UserHistory;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.api.generator.GeneratorTokens;
import io.onerec.api.generator.SparseCodes;
import io.onerec.api.generator.StepDecoder;
import io.onerec.libtorch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.nio.FloatBuffer;
import java.util.List;

/**
 * Incremental decoding for beam search on LibTorch, shaped so that the time goes to GEMMs (see
 * docs/libtorch-performance.md for the measured split):
 * <ul>
 *   <li>all beam slots of all users advance together: one GEMM per weight matrix per step over every slot, with the
 *   self-attention q/k/v projections fused into one;</li>
 *   <li>cross-attention keys/values are projected once per user (not once per slot) and every user's slots attend
 *   to them as one batch of queries ([users, heads, beams, dh] x [users, heads, S, dh]);</li>
 *   <li>the first step of a session computes one row per user, not one per slot: a user's slots all read BOS over
 *   an empty cache, so their states are identical (the pure-Java backend does the same);</li>
 *   <li>the self-attention cache is a preallocated [slots, heads, capacity, dh] buffer per layer: each step writes
 *   its keys/values into position t in place and reorders the earlier positions by parent slot once per layer
 *   (a single gather), instead of concatenating a new cache per step;</li>
 *   <li>each step runs in its own {@link PointerScope}, so its intermediates are freed when it returns rather than
 *   piling up until the search ends; log-probabilities are copied into one reused Java array per level.</li>
 * </ul>
 * The beam bookkeeping itself stays in the shared host-side {@link io.onerec.api.generator.ConstrainedBeamSearch},
 * so every {@link io.onerec.api.DecodingOptions} feature holds here exactly as on the other backend; one host round
 * trip per step (tokens and parents in, log-probabilities out).
 */
final class TorchStepDecoder implements StepDecoder {
    private final TorchGeneratorModel model;
    private final GeneratorTokens vocab;

    /** Most floats of gathered lm_head rows one sparse-head block holds. */
    private final long sparseBlockFloats;
    /** Share of the computed rows' codebook logits from which the sparse head uses the dense GEMM instead. */
    private final double densePickShare;

    TorchStepDecoder(TorchGeneratorModel model, GeneratorTokens vocab) {
        this(model, vocab, Torch.isCuda() ? SPARSE_BLOCK_FLOATS_CUDA : SPARSE_BLOCK_FLOATS, DENSE_PICK_SHARE);
    }

    /** With other sparse-head thresholds, so that tests exercise each of its paths on small models. */
    TorchStepDecoder(TorchGeneratorModel model, GeneratorTokens vocab, long sparseBlockFloats, double densePickShare) {
        if (sparseBlockFloats < 1) throw new IllegalArgumentException("sparseBlockFloats must be >= 1, got " + sparseBlockFloats);
        this.model = model;
        this.vocab = vocab;
        this.sparseBlockFloats = sparseBlockFloats;
        this.densePickShare = densePickShare;
    }

    @Override
    public Session start(List<UserHistory> users, int beamWidth) {
        return new TorchSession(users, beamWidth);
    }

    private final class TorchSession implements Session {
        private final GeneratorConfig c = model.config();
        private final int users, beamWidth, slots, d = c.dModel(), heads = c.nHeads(), dh = c.headDim();
        /** Per decoder layer, the self-attention q, k and v weights stacked: [3d, d]. */
        private final Tensor[] selfQkv;
        /** Per decoder layer, cross-attention keys/values per user: [users, heads, S, dh]. */
        private final Tensor[] crossK, crossV;
        /** [users, 1, 1, S], true = padding. */
        private final Tensor crossBlocked;
        /** Per user, the encoder output at the latest history position (BOS inputs add it): [users, d], or null. */
        private final Tensor lastState;
        /** Per user, the encoder output at the latest position (the state the item head reads): [users, d]. */
        private final Tensor finalState;
        /** User of each slot, [slots] int64. */
        private final Tensor slotUser;
        /** Per decoder layer, self-attention keys/values [slots, heads, capacity, dh]; grown when a search needs more. */
        private final Tensor[] cacheK, cacheV;
        private int capacity;
        /** Per level, the array returned by {@link #step} (reused: the search reads it before the next step). */
        private final float[][] logProbs;
        /** The sparse head's output, reused across steps (grown when a step lists more codes). */
        private float[] sparseOut = new float[0];
        private int position;

        TorchSession(List<UserHistory> users, int beamWidth) {
            if (beamWidth < 1) throw new IllegalArgumentException("beamWidth must be >= 1, got " + beamWidth);
            long t0 = DecodeProfile.start();
            int layers = c.decoderLayers();
            this.users = users.size();
            this.beamWidth = beamWidth;
            this.slots = this.users * beamWidth;
            selfQkv = new Tensor[layers];
            crossK = new Tensor[layers];
            crossV = new Tensor[layers];
            cacheK = new Tensor[layers];
            cacheV = new Tensor[layers];
            EncoderBatch enc = EncoderBatch.of(vocab, users);
            Tensor encoded = model.encode(enc.tokens(), enc.items(), enc.padded());   // [U, S, d]
            crossBlocked = enc.padded().view(this.users, 1, 1, enc.length());
            long[] owner = new long[slots];
            for (int s = 0; s < slots; s++) owner[s] = s / beamWidth;
            slotUser = Torch.longs(owner, slots);
            // One gather serves both readers of the latest state: the BOS inputs and the item head.
            long[] latest = new long[this.users];
            for (int u = 0; u < latest.length; u++) latest[u] = vocab.encoderItems(users.get(u)).length - 1;
            finalState = model.lastStates(encoded, null, Torch.longs(latest, latest.length));
            lastState = c.bosReadsLastState() ? finalState : null;
            for (int i = 0; i < layers; i++) {
                String pre = "decoder.layers." + i + ".";
                selfQkv[i] = torch.cat(new TensorVector(model.p(pre + "self_attn.q.weight"), model.p(pre + "self_attn.k.weight"),
                        model.p(pre + "self_attn.v.weight")), 0);
                crossK[i] = model.heads(TorchGeneratorModel.linear(encoded, model.p(pre + "cross_attn.k.weight")));
                crossV[i] = model.heads(TorchGeneratorModel.linear(encoded, model.p(pre + "cross_attn.v.weight")));
            }
            // Next-item search needs BOS + one position per level; longer sessions grow the cache (see ensureCapacity).
            allocateCache(Math.min(c.maxDecoderLen(), c.codeLevels() + 1));
            logProbs = new float[c.codeLevels()][];
            DecodeProfile.lap(DecodeProfile.Phase.START, t0);
        }

        @Override
        public float[] itemLogits() {
            if (!c.itemEmbeddings()) throw new IllegalStateException("this generator has no item-ID embeddings (item_vocab = 0), so no item head");
            return Torch.toFloats(model.itemLogits(finalState).contiguous());
        }

        /** (Re)allocates the self-attention caches with room for {@code positions}, keeping what they hold. */
        private void allocateCache(int positions) {
            for (int i = 0; i < cacheK.length; i++) {
                Tensor k = Torch.zeros(slots, heads, positions, dh), v = Torch.zeros(slots, heads, positions, dh);
                if (position > 0) {
                    k.narrow(2, 0, position).copy_(cacheK[i].narrow(2, 0, position));
                    v.narrow(2, 0, position).copy_(cacheV[i].narrow(2, 0, position));
                }
                cacheK[i] = k;
                cacheV[i] = v;
            }
            capacity = positions;
        }

        @Override
        public float[] step(int[] tokens, int[] parents, int level) {
            return advance(tokens, parents, level, null, null);
        }

        /**
         * The sparse head: the listed codes' lm_head rows are gathered into a padded [rows, widest, d] block (rows =
         * the slots with a non-empty list; padding repeats a listed row and is masked to -inf before the
         * log-softmax), multiplied by each row's hidden state as one batched matrix-vector product, log-softmaxed per
         * row and gathered back to the flat list order on the device: a handful of batched ops per step (more only
         * when the block exceeds {@code SPARSE_BLOCK_FLOATS} and is split by rows), never one per slot, and still one host
         * copy per step. When the lists cover at least half of the computed rows' codebook, the dense GEMM is
         * cheaper and its logits are picked into the same padded layout instead.
         */
        @Override
        public float[] stepSparse(int[] tokens, int[] parents, int level, int[] offsets, int[] codes) {
            if (level < 0 || level >= c.codeLevels()) {
                throw new IllegalArgumentException("a sparse step needs a code level in [0, " + c.codeLevels() + "), got " + level);
            }
            if (tokens.length != slots) throw new IllegalArgumentException("expected " + slots + " slots, got " + tokens.length + " tokens");
            SparseCodes.validate(offsets, codes, slots, c.codebookSize(level), level);
            return advance(tokens, parents, level, offsets, codes);
        }

        private float[] advance(int[] tokens, int[] parents, int level, int[] offsets, int[] codes) {
            if (tokens.length != slots || parents.length != slots) {
                throw new IllegalArgumentException("expected " + slots + " slots, got " + tokens.length + " tokens and " + parents.length + " parents");
            }
            if (position >= c.maxDecoderLen()) {
                throw new IllegalStateException("decoder position " + position + " exceeds max_decoder_len " + c.maxDecoderLen());
            }
            if (level >= c.codeLevels()) throw new IllegalArgumentException("level " + level + " >= " + c.codeLevels());
            for (int s = 0; s < slots; s++) {
                if (parents[s] < 0 || parents[s] >= slots || parents[s] / beamWidth != s / beamWidth) {
                    throw new IllegalArgumentException("slot " + s + " has parent " + parents[s] + " outside its user's slots");
                }
                if (tokens[s] < 0 || tokens[s] >= c.vocabSize()) {
                    throw new IllegalArgumentException("token " + tokens[s] + " outside the vocabulary");
                }
            }
            // Outside the step's scope: the grown caches outlive this step.
            if (position >= capacity) allocateCache(Math.min(c.maxDecoderLen(), 2 * capacity));
            try (PointerScope scope = new PointerScope()) {
                return stepInScope(tokens, parents, level, offsets, codes);
            } finally {
                position++;
            }
        }

        private float[] stepInScope(int[] tokens, int[] parents, int level, int[] offsets, int[] codes) {
            long t0 = DecodeProfile.start();
            int t = position;
            if (t > 0 && !isIdentity(parents)) {
                Tensor idx = Torch.longs(parents, slots);
                for (int i = 0; i < cacheK.length; i++) {
                    Tensor k = cacheK[i].narrow(2, 0, t), v = cacheV[i].narrow(2, 0, t);
                    k.copy_(k.index_select(0, idx));
                    v.copy_(v.index_select(0, idx));
                }
            }
            t0 = DecodeProfile.lap(DecodeProfile.Phase.REORDER, t0);
            // First step: a user's slots all read the same token over an empty cache -> one row per user.
            boolean shared = t == 0 && beamWidth > 1 && uniformPerUser(tokens);
            int rows = shared ? users : slots;
            long[] rowTokens = new long[rows];
            float[] bos = lastState == null ? null : new float[rows];
            boolean anyBos = false;
            for (int r = 0; r < rows; r++) {
                int tok = tokens[shared ? r * beamWidth : r];
                rowTokens[r] = tok;
                if (bos != null && tok == GeneratorConfig.BOS) {
                    bos[r] = 1f;
                    anyBos = true;
                }
            }
            Tensor x = model.p("shared.embedding").index_select(0, Torch.longs(rowTokens, rows))
                    .add(model.p("decoder.pos_embedding").select(0, t));                        // [rows, d]
            if (anyBos) {
                Tensor state = shared ? lastState : lastState.index_select(0, slotUser);
                x = x.add(state.mul(Torch.floats(bos, rows, 1)));
            }
            t0 = DecodeProfile.lap(DecodeProfile.Phase.EMBED, t0);
            Tensor[] aux = new Tensor[1];
            int perUser = rows / users;
            for (int i = 0; i < c.decoderLayers(); i++) {
                String pre = "decoder.layers." + i + ".";
                // Causal self-attention over the cache.
                Tensor h = model.rmsNorm(x, pre + "self_attn_norm.weight");
                Tensor qkv = TorchGeneratorModel.linear(h, selfQkv[i]);                         // [rows, 3d]
                Tensor q = qkv.narrow(1, 0, d).view(rows, heads, 1, dh);
                Tensor k = qkv.narrow(1, d, d).view(rows, heads, dh);
                Tensor v = qkv.narrow(1, 2L * d, d).view(rows, heads, dh);
                Tensor keys, values;
                if (shared) {
                    // Position 0 holds only the row's own key; every slot of the user shares it.
                    cacheK[i].select(2, 0).copy_(k.index_select(0, slotUser));
                    cacheV[i].select(2, 0).copy_(v.index_select(0, slotUser));
                    keys = k.view(rows, heads, 1, dh);
                    values = v.view(rows, heads, 1, dh);
                } else {
                    cacheK[i].select(2, t).copy_(k);
                    cacheV[i].select(2, t).copy_(v);
                    keys = cacheK[i].narrow(2, 0, t + 1);
                    values = cacheV[i].narrow(2, 0, t + 1);
                }
                Tensor a = model.attend(q, keys, values, null).reshape(rows, d);
                x = x.add(TorchGeneratorModel.linear(a, model.p(pre + "self_attn.o.weight")));
                // Cross-attention: each user's rows query its encoder keys as one batch.
                h = model.rmsNorm(x, pre + "cross_attn_norm.weight");
                Tensor cq = TorchGeneratorModel.linear(h, model.p(pre + "cross_attn.q.weight"))
                        .view(users, perUser, heads, dh).transpose(1, 2);                       // [U, H, rows/U, dh]
                Tensor ca = model.attend(cq, crossK[i], crossV[i], crossBlocked).transpose(1, 2).reshape(rows, d);
                x = x.add(TorchGeneratorModel.linear(ca, model.p(pre + "cross_attn.o.weight")));
                h = model.rmsNorm(x, pre + "ffn_norm.weight");
                x = x.add(c.moe() ? model.moe(h, pre + "moe.", aux, 0) : model.ffn(h, pre + "ffn."));
            }
            t0 = DecodeProfile.lap(DecodeProfile.Phase.LAYERS, t0);
            if (level < 0) {
                return null;
            }
            if (offsets != null) {
                float[] out = sparseHead(model.rmsNorm(x, "decoder.final_norm.weight"), shared, level, offsets, codes);
                DecodeProfile.lap(DecodeProfile.Phase.HEAD, t0);
                return out;
            }
            Tensor lp = model.levelLogits(model.rmsNorm(x, "decoder.final_norm.weight"), level).log_softmax(-1);
            if (shared) lp = lp.index_select(0, slotUser);                                     // [slots, K]
            t0 = DecodeProfile.lap(DecodeProfile.Phase.HEAD, t0);
            float[] out = logProbs[level];
            if (out == null) out = logProbs[level] = new float[slots * c.codebookSize(level)];
            copyToHost(lp, out);
            DecodeProfile.lap(DecodeProfile.Phase.COPY, t0);
            return out;
        }

        /** Log-probabilities of each slot's listed codes, normalised over its list; see {@link #stepSparse}. */
        private float[] sparseHead(Tensor hidden, boolean shared, int level, int[] offsets, int[] codes) {
            int total = offsets[slots];
            if (sparseOut.length < total) sparseOut = new float[Math.max(total, 2 * sparseOut.length)];
            if (total == 0) return sparseOut;
            int live = 0, widest = 0;
            for (int s = 0; s < slots; s++) {
                int n = offsets[s + 1] - offsets[s];
                if (n > 0) {
                    live++;
                    widest = Math.max(widest, n);
                }
            }
            if ((long) live * widest > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException(live + " slots x " + widest + " codes is too large a sparse head step; decode fewer users per call");
            }
            long[] hiddenRow = new long[live];                 // the computed row holding each listed slot's state
            long[] headRow = new long[live * widest];          // lm_head row of each (listed slot, list position)
            float[] padding = new float[live * widest];        // 0 for a listed code, -inf for padding
            long[] position = new long[total];                 // where each listed code lands in [live, widest]
            boolean padded = false;
            int first = c.codeTokenOffset(level);
            for (int s = 0, r = 0; s < slots; s++) {
                int from = offsets[s], n = offsets[s + 1] - from;
                if (n == 0) continue;
                hiddenRow[r] = shared ? s / beamWidth : s;
                for (int j = 0; j < widest; j++) {
                    int at = r * widest + j;
                    if (j < n) {
                        headRow[at] = first + codes[from + j];
                        position[from + j] = at;
                    } else {
                        headRow[at] = first + codes[from];
                        padding[at] = Float.NEGATIVE_INFINITY;
                        padded = true;
                    }
                }
                r++;
            }
            Tensor head = model.p("lm_head.weight");
            int rows = (int) hidden.size(0), kk = c.codebookSize(level);
            Tensor logits;
            int rowsPerBlock = (int) Math.max(1, Math.min(live, sparseBlockFloats / ((long) widest * d)));
            if ((double) live * widest >= densePickShare * rows * kk) {
                // Lists that cover much of the codebook (the first level of a later item in a multi-item session:
                // every beam lists the root's children) are cheaper as the dense GEMM, whose logits are then picked.
                long[] picked = new long[live * widest];
                for (int r = 0; r < live; r++) {
                    for (int j = 0; j < widest; j++) picked[r * widest + j] = hiddenRow[r] * kk + headRow[r * widest + j] - first;
                }
                logits = model.levelLogits(hidden, level).reshape(-1).index_select(0, Torch.longs(picked, picked.length)).view(live, widest);
            } else if (rowsPerBlock >= live) {
                Tensor states = hidden.index_select(0, Torch.longs(hiddenRow, live));      // [live, d]
                Tensor rowsOfHead = Torch.longs(headRow, (long) live * widest);
                logits = blockLogits(head, states, rowsOfHead, live, widest);
            } else {
                // Split the gathered block by rows when it is large, to bound its memory.
                Tensor states = hidden.index_select(0, Torch.longs(hiddenRow, live));
                Tensor rowsOfHead = Torch.longs(headRow, (long) live * widest);
                TensorVector blocks = new TensorVector();
                for (int r = 0; r < live; r += rowsPerBlock) {
                    int n = Math.min(rowsPerBlock, live - r);
                    blocks.push_back(blockLogits(head, states.narrow(0, r, n), rowsOfHead.narrow(0, (long) r * widest, (long) n * widest), n, widest));
                }
                logits = torch.cat(blocks, 0);
            }
            if (padded) logits = logits.add(Torch.floats(padding, live, widest));
            Tensor lp = logits.log_softmax(-1).view(-1).index_select(0, Torch.longs(position, total));
            copyToHost(lp, sparseOut, total);
            return sparseOut;
        }

        /** [rows, widest] float32 logits: the gathered head rows times each row's state, one batched product. */
        private Tensor blockLogits(Tensor head, Tensor states, Tensor headRows, int rows, int widest) {
            Tensor w = head.index_select(0, headRows).view(rows, widest, d);                 // [rows, widest, d]
            return w.matmul(states.view(rows, d, 1)).view(rows, widest).to(Torch.device(), torch.ScalarType.Float);
        }

        private boolean uniformPerUser(int[] tokens) {
            for (int s = 0; s < slots; s++) if (tokens[s] != tokens[s - s % beamWidth]) return false;
            return true;
        }

        private static boolean isIdentity(int[] parents) {
            for (int s = 0; s < parents.length; s++) if (parents[s] != s) return false;
            return true;
        }

        @Override
        public void close() {
            // Tensors are released by the caller's PointerScope.
        }
    }

    /**
     * Most floats of gathered lm_head rows the sparse head materialises at once on the CPU (4 MiB); bigger steps are
     * split into blocks of rows. Why so small: the gather and the product that reads it back then stay in cache. At
     * OneRec scale (d128, beam 128, level 1 gathers ~40M floats) the head took 116 CPU ms per search in 1 MiB blocks,
     * 132 ms in 4 MiB and 695 ms in 64 MiB ones (GeneratorProfile, one thread, loaded machine); 4 MiB keeps the
     * number of ops per step small.
     */
    static final long SPARSE_BLOCK_FLOATS = 1L << 20;

    /** On CUDA the blocks only bound memory: 256 MiB. */
    static final long SPARSE_BLOCK_FLOATS_CUDA = 1L << 26;

    /**
     * The sparse head computes the dense logits and picks the listed ones when its padded block would hold at least
     * this share of the computed rows' codebook logits: one GEMM then beats a gather of as many head rows.
     */
    static final double DENSE_PICK_SHARE = 0.5;

    /** Copies a float tensor (any device) into {@code out}, which has exactly its element count. */
    private static void copyToHost(Tensor t, float[] out) {
        copyToHost(t, out, out.length);
    }

    /** Copies a float tensor of {@code n} elements (any device) into {@code out[0, n)}. */
    private static void copyToHost(Tensor t, float[] out, int n) {
        Tensor host = Torch.isCuda() ? t.to(new org.bytedeco.pytorch.Device(torch.DeviceType.CPU), torch.ScalarType.Float) : t;
        host = host.contiguous();
        if (host.numel() != n) throw new IllegalStateException("expected " + n + " values, got " + host.numel());
        FloatBuffer fb = host.createBuffer();
        fb.get(out, 0, n);
    }
}

package io.onerec.libtorch.generator;

import io.onerec.api.UserHistory;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.api.generator.GeneratorTokens;
import io.onerec.api.generator.StepDecoder;
import io.onerec.libtorch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

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

    TorchStepDecoder(TorchGeneratorModel model, GeneratorTokens vocab) {
        this.model = model;
        this.vocab = vocab;
    }

    @Override
    public Session start(List<UserHistory> users, int beamWidth) {
        return new TorchSession(users, beamWidth);
    }

    private final class TorchSession implements Session {
        private final GeneratorConfig c = model.config();
        private final int users, beamWidth, slots, layers, d = c.dModel(), heads = c.nHeads(), dh = c.headDim();
        /**
         * Per decoder layer, the self-attention q, k and v weights stacked: [3d, d], the q rows scaled by
         * 1/sqrt(dh) so that the scores need no separate scaling op.
         */
        private final Tensor[] selfQkv;
        /**
         * Per decoder layer, the weights each step reads, looked up (and the output projections transposed, as views)
         * once per session rather than once per op: every JavaCPP call that returns an object costs a few us.
         */
        private final Tensor[] selfO, selfOT, crossQ, crossO, crossOT, ffnIn, ffnOut, ffnOutT;
        /** Per decoder layer, the RMSNorm weights as the optional arguments {@code rms_norm} takes. */
        private final TensorOptional[] selfNorm, crossNorm, ffnNorm;
        private final TensorOptional finalNorm, crossMask;
        /** [users, 1, 1, S], true = padding (the composite attention's mask). */
        private final Tensor crossBlocked;
        private final DoubleOptional normEps, defaultScale = new DoubleOptional();
        private final long[] normShape = {d};
        /** Per decoder layer, cross-attention keys/values per user: [users, heads, S, dh]. */
        private final Tensor[] crossK, crossV;
        /** Per user, the encoder output at the latest history position (BOS inputs add it): [users, d], or null. */
        private final Tensor lastState;
        /** User of each slot, [slots] int64. */
        private final Tensor slotUser;
        /**
         * Self-attention keys and values of all layers in one tensor, [2 x layers, slots, heads, capacity, dh]
         * (2i = layer i's keys, 2i + 1 its values; each [slots, ...] block contiguous); grown when a search needs
         * more positions. A step's reorder by parent slot gathers each block into {@link #spare} (same shape,
         * preallocated) and swaps the two: no allocation, no copy back.
         */
        private Tensor cache, spare;
        private int capacity;
        /**
         * Fused ops: residual adds in the output projections ({@code addmm}) and the cross-attention as one
         * {@code scaled_dot_product_attention}. Not under bf16 autocast, which would cast the residual stream itself
         * to bf16, and whose CPU attention kernel was 4x slower than the composite at these shapes.
         */
        private final boolean fused;
        /** Per level, the array returned by {@link #step} (reused: the search reads it before the next step). */
        private final float[][] logProbs;
        private int position;

        TorchSession(List<UserHistory> users, int beamWidth) {
            if (beamWidth < 1) throw new IllegalArgumentException("beamWidth must be >= 1, got " + beamWidth);
            long t0 = DecodeProfile.start();
            layers = c.decoderLayers();
            this.users = users.size();
            this.beamWidth = beamWidth;
            this.slots = this.users * beamWidth;
            selfQkv = new Tensor[layers];
            selfO = new Tensor[layers];
            selfOT = new Tensor[layers];
            crossQ = new Tensor[layers];
            crossO = new Tensor[layers];
            crossOT = new Tensor[layers];
            ffnIn = new Tensor[layers];
            ffnOut = new Tensor[layers];
            ffnOutT = new Tensor[layers];
            selfNorm = new TensorOptional[layers];
            crossNorm = new TensorOptional[layers];
            ffnNorm = new TensorOptional[layers];
            finalNorm = new TensorOptional(model.p("decoder.final_norm.weight"));
            normEps = new DoubleOptional(c.normEps());
            crossK = new Tensor[layers];
            crossV = new Tensor[layers];
            fused = !Torch.autocastEnabled();
            EncoderBatch enc = EncoderBatch.of(vocab, users);
            Tensor encoded = model.encode(enc.tokens(), enc.items(), enc.padded());   // [U, S, d]
            // [users, 1, 1, S], true = a key the user's queries may attend to (not padding).
            crossBlocked = enc.padded().view(this.users, 1, 1, enc.length());
            crossMask = new TensorOptional(crossBlocked.logical_not());
            long[] owner = new long[slots];
            for (int s = 0; s < slots; s++) owner[s] = s / beamWidth;
            slotUser = Torch.longs(owner, slots);
            if (c.bosReadsLastState()) {
                long[] latest = new long[this.users];
                for (int u = 0; u < latest.length; u++) latest[u] = vocab.encoderItems(users.get(u)).length - 1;
                lastState = model.lastStates(encoded, null, Torch.longs(latest, latest.length));
            } else {
                lastState = null;
            }
            org.bytedeco.pytorch.Scalar scoreScale = Torch.scalar(1.0 / Math.sqrt(dh));
            for (int i = 0; i < layers; i++) {
                String pre = "decoder.layers." + i + ".";
                selfQkv[i] = torch.cat(new TensorVector(model.p(pre + "self_attn.q.weight").mul(scoreScale),
                        model.p(pre + "self_attn.k.weight"), model.p(pre + "self_attn.v.weight")), 0);
                selfO[i] = model.p(pre + "self_attn.o.weight");
                selfOT[i] = selfO[i].t();
                crossQ[i] = model.p(pre + "cross_attn.q.weight");
                crossO[i] = model.p(pre + "cross_attn.o.weight");
                crossOT[i] = crossO[i].t();
                if (!c.moe()) {
                    ffnIn[i] = model.p(pre + "ffn.wi.weight");
                    ffnOut[i] = model.p(pre + "ffn.wo.weight");
                    ffnOutT[i] = ffnOut[i].t();
                }
                selfNorm[i] = new TensorOptional(model.p(pre + "self_attn_norm.weight"));
                crossNorm[i] = new TensorOptional(model.p(pre + "cross_attn_norm.weight"));
                ffnNorm[i] = new TensorOptional(model.p(pre + "ffn_norm.weight"));
                crossK[i] = model.heads(TorchGeneratorModel.linear(encoded, model.p(pre + "cross_attn.k.weight")));
                crossV[i] = model.heads(TorchGeneratorModel.linear(encoded, model.p(pre + "cross_attn.v.weight")));
            }
            // Next-item search needs BOS + one position per level; longer sessions grow the cache (see step).
            allocateCache(Math.min(c.maxDecoderLen(), c.codeLevels() + 1));
            logProbs = new float[c.codeLevels()][];
            for (int l = 0; l < logProbs.length; l++) logProbs[l] = new float[slots * c.codebookSize(l)];
            DecodeProfile.lap(DecodeProfile.Phase.START, t0);
        }

        /** (Re)allocates the self-attention cache with room for {@code positions}, keeping what it holds. */
        private void allocateCache(int positions) {
            // Uninitialised: a position is written (step t writes position t) before any step reads it; the reorder
            // copies the unwritten positions along, unread.
            Tensor grown = Torch.empty(2L * layers, slots, heads, positions, dh);
            if (position > 0) grown.narrow(3, 0, position).copy_(cache.narrow(3, 0, position));
            cache = grown;
            spare = Torch.empty(2L * layers, slots, heads, positions, dh);
            capacity = positions;
        }

        @Override
        public float[] step(int[] tokens, int[] parents, int level) {
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
            // Outside the step's scope: the grown cache outlives this step.
            if (position >= capacity) allocateCache(Math.min(c.maxDecoderLen(), 2 * capacity));
            try (PointerScope scope = new PointerScope()) {
                return stepInScope(tokens, parents, level);
            } finally {
                position++;
            }
        }

        /** {@code x + a w^T}: one {@code addmm} where the residual may be fused, else a product and an add. */
        private Tensor residual(Tensor x, Tensor a, Tensor w, Tensor wT) {
            return fused ? torch.addmm(x, a, wT) : x.add(TorchGeneratorModel.linear(a, w));
        }

        /** The model's RMSNorm (one LibTorch op; as {@link TorchGeneratorModel#rmsNorm} computes it at inference). */
        private Tensor norm(Tensor x, TensorOptional weight) {
            return torch.rms_norm(x, normShape, weight, normEps);
        }

        private float[] stepInScope(int[] tokens, int[] parents, int level) {
            long t0 = DecodeProfile.start();
            int t = position;
            if (t > 0 && !isIdentity(parents)) {
                // Whole blocks (all capacity positions, a plain row gather) rather than positions 0..t-1 only: the
                // strided gather of a narrowed view was several times slower than copying the few unused positions.
                Tensor idx = Torch.longs(parents, slots);
                for (int j = 0; j < 2 * layers; j++) torch.index_select_out(spare.select(0, j), cache.select(0, j), 0, idx);
                Tensor swap = cache;
                cache = spare;
                spare = swap;
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
            for (int i = 0; i < layers; i++) {
                // Causal self-attention over the cache.
                Tensor qkv = TorchGeneratorModel.linear(norm(x, selfNorm[i]), selfQkv[i]);  // [rows, 3d]
                Tensor kv = qkv.narrow(1, d, 2L * d).view(rows, 2, heads, dh).transpose(0, 1);  // [2, rows, H, dh]
                // Position t of this layer's keys and values: [2, slots, H, dh]; at t = 0 shared rows fill every slot.
                cache.narrow(0, 2L * i, 2).select(3, t).copy_(shared ? kv.index_select(1, slotUser) : kv);
                Tensor a;
                if (t == 0) {
                    // One key (the row's own): softmax = 1, the output is the value itself.
                    a = qkv.narrow(1, 2L * d, d);
                } else {
                    Tensor q = qkv.narrow(1, 0, d).view(rows, heads, 1, dh);                    // pre-scaled
                    Tensor keys = cache.select(0, 2L * i).narrow(2, 0, t + 1);                   // [slots, H, t+1, dh]
                    Tensor values = cache.select(0, 2L * i + 1).narrow(2, 0, t + 1);
                    a = q.matmul(keys.transpose(-2, -1)).softmax(-1).matmul(values).view(rows, d);
                }
                x = residual(x, a, selfO[i], selfOT[i]);
                // Cross-attention: each user's rows query its encoder keys as one batch (one fused op).
                Tensor cq = TorchGeneratorModel.linear(norm(x, crossNorm[i]), crossQ[i])
                        .view(users, perUser, heads, dh).transpose(1, 2);                       // [U, H, rows/U, dh]
                Tensor ca = (fused ? torch.scaled_dot_product_attention(cq, crossK[i], crossV[i], crossMask, 0.0, false, defaultScale, false)
                        : model.attend(cq, crossK[i], crossV[i], crossBlocked)).transpose(1, 2).reshape(rows, d);
                x = residual(x, ca, crossO[i], crossOT[i]);
                Tensor h = norm(x, ffnNorm[i]);
                x = c.moe() ? x.add(model.moe(h, "decoder.layers." + i + ".moe.", aux, 0))
                        : residual(x, TorchGeneratorModel.linear(h, ffnIn[i]).relu_(), ffnOut[i], ffnOutT[i]);
            }
            t0 = DecodeProfile.lap(DecodeProfile.Phase.LAYERS, t0);
            if (level < 0) {
                return null;
            }
            Tensor lp = model.levelLogits(norm(x, finalNorm), level).log_softmax(-1);
            if (shared) lp = lp.index_select(0, slotUser);                                     // [slots, K]
            t0 = DecodeProfile.lap(DecodeProfile.Phase.HEAD, t0);
            float[] out = logProbs[level];
            if (out == null) out = logProbs[level] = new float[slots * c.codebookSize(level)];
            copyToHost(lp, out);
            DecodeProfile.lap(DecodeProfile.Phase.COPY, t0);
            return out;
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

    /** Copies a float tensor (any device) into {@code out}, which has exactly its element count. */
    private static void copyToHost(Tensor t, float[] out) {
        Tensor host = Torch.isCuda() ? t.to(new org.bytedeco.pytorch.Device(torch.DeviceType.CPU), torch.ScalarType.Float) : t;
        host = host.contiguous();
        if (host.numel() != out.length) throw new IllegalStateException("expected " + out.length + " values, got " + host.numel());
        host.data_ptr_float().get(out); // one JNI array copy (createBuffer built a direct buffer view per call)
    }
}

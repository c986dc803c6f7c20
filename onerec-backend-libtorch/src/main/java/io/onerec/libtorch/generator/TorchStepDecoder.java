package io.onerec.libtorch.generator;

import io.onerec.api.UserHistory;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.api.generator.GeneratorTokens;
import io.onerec.api.generator.StepDecoder;
import io.onerec.libtorch.Torch;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.util.List;

/**
 * Incremental decoding for beam search on LibTorch. All beam slots of all users advance together: one batched op
 * per layer per step. Cross-attention keys/values are computed once per user and shared by its slots; the
 * self-attention cache grows by one position per step and is reordered by parent slot.
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
        private final int slots;
        private final Tensor[] crossK, crossV, selfK, selfV;
        private final Tensor crossBlocked;
        /** Per slot, the encoder output at its user's latest history position (BOS inputs add it), or null. */
        private final Tensor lastState;
        private int position;

        TorchSession(List<UserHistory> users, int beamWidth) {
            int layers = c.decoderLayers();
            slots = users.size() * beamWidth;
            crossK = new Tensor[layers];
            crossV = new Tensor[layers];
            selfK = new Tensor[layers];
            selfV = new Tensor[layers];
            EncoderBatch enc = EncoderBatch.of(vocab, users);
            Tensor encoded = model.encode(enc.tokens(), enc.items(), enc.padded());
            Tensor perSlot = Torch.longs(slotUsers(users.size(), beamWidth), slots);
            Tensor encSlots = encoded.index_select(0, perSlot);                        // [N, S, d]
            crossBlocked = enc.padded().index_select(0, perSlot).view(slots, 1, 1, enc.length());
            if (c.bosReadsLastState()) {
                // A user's latest position is its last real encoder position: computed once per user, not per beam.
                long[] latest = new long[slots];
                for (int u = 0; u < users.size(); u++) {
                    long last = vocab.encoderItems(users.get(u)).length - 1;
                    java.util.Arrays.fill(latest, u * beamWidth, (u + 1) * beamWidth, last);
                }
                lastState = model.lastStates(encoded, perSlot, Torch.longs(latest, slots));
            } else {
                lastState = null;
            }
            for (int i = 0; i < layers; i++) {
                String pre = "decoder.layers." + i + ".cross_attn.";
                crossK[i] = model.heads(TorchGeneratorModel.linear(encSlots, model.p(pre + "k.weight")));
                crossV[i] = model.heads(TorchGeneratorModel.linear(encSlots, model.p(pre + "v.weight")));
            }
        }

        private static long[] slotUsers(int users, int beamWidth) {
            long[] out = new long[users * beamWidth];
            for (int s = 0; s < out.length; s++) out[s] = s / beamWidth;
            return out;
        }

        @Override
        public float[] step(int[] tokens, int[] parents, int level) {
            if (tokens.length != slots || parents.length != slots) {
                throw new IllegalArgumentException("expected " + slots + " slots, got " + tokens.length + " tokens and " + parents.length + " parents");
            }
            if (position >= c.maxDecoderLen()) {
                throw new IllegalStateException("decoder position " + position + " exceeds max_decoder_len " + c.maxDecoderLen());
            }
            if (position > 0 && !isIdentity(parents)) {
                Tensor idx = Torch.longs(parents, slots);
                for (int i = 0; i < selfK.length; i++) {
                    selfK[i] = selfK[i].index_select(0, idx);
                    selfV[i] = selfV[i].index_select(0, idx);
                }
            }
            Tensor x = model.p("shared.embedding").index_select(0, Torch.longs(tokens, slots))
                    .add(model.p("decoder.pos_embedding").select(0, position));
            if (lastState != null) {
                float[] bos = new float[slots];
                for (int sl = 0; sl < slots; sl++) bos[sl] = tokens[sl] == GeneratorConfig.BOS ? 1f : 0f;
                x = x.add(lastState.mul(Torch.floats(bos, slots, 1)));
            }
            x = x.view(slots, 1, c.dModel());
            Tensor[] aux = new Tensor[1];
            for (int i = 0; i < c.decoderLayers(); i++) {
                String pre = "decoder.layers." + i + ".";
                Tensor h = model.rmsNorm(x, pre + "self_attn_norm.weight");
                Tensor k = model.heads(TorchGeneratorModel.linear(h, model.p(pre + "self_attn.k.weight")));
                Tensor v = model.heads(TorchGeneratorModel.linear(h, model.p(pre + "self_attn.v.weight")));
                selfK[i] = selfK[i] == null ? k : torch.cat(new TensorVector(selfK[i], k), 2);
                selfV[i] = selfV[i] == null ? v : torch.cat(new TensorVector(selfV[i], v), 2);
                Tensor q = model.heads(TorchGeneratorModel.linear(h, model.p(pre + "self_attn.q.weight")));
                x = x.add(TorchGeneratorModel.linear(model.merge(model.attend(q, selfK[i], selfV[i], null)), model.p(pre + "self_attn.o.weight")));
                h = model.rmsNorm(x, pre + "cross_attn_norm.weight");
                q = model.heads(TorchGeneratorModel.linear(h, model.p(pre + "cross_attn.q.weight")));
                x = x.add(TorchGeneratorModel.linear(model.merge(model.attend(q, crossK[i], crossV[i], crossBlocked)), model.p(pre + "cross_attn.o.weight")));
                h = model.rmsNorm(x, pre + "ffn_norm.weight");
                x = x.add(c.moe() ? model.moe(h, pre + "moe.", aux, 0) : model.ffn(h, pre + "ffn."));
            }
            position++;
            if (level < 0) {
                return null;
            }
            Tensor out = model.rmsNorm(x, "decoder.final_norm.weight").view(slots, c.dModel());
            return Torch.toFloats(model.levelLogits(out, level).log_softmax(-1));
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
}

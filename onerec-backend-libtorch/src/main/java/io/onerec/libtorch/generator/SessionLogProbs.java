package io.onerec.libtorch.generator;

import io.onerec.api.UserHistory;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.api.generator.GeneratorTokens;
import io.onerec.libtorch.Torch;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;

import java.util.List;

/**
 * Teacher-forced log-probabilities of target sessions under a model, with gradients: the building block of
 * next-token training (mean of the negatives) and of DPO (per-session sums under policy and reference).
 */
public final class SessionLogProbs {
    private SessionLogProbs() {
    }

    /** Result: per-code log-probs [B, m*P] and the MoE balancing loss of this forward pass (null without MoE). */
    public record Result(Tensor tokenLogProbs, Tensor auxLoss) {
        /** Summed log-probability of each session, [B]. */
        public Tensor perSession() {
            return tokenLogProbs.sum(new long[]{1}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
        }
    }

    /**
     * @param sessions one target session per user, all of the same length m (m <= items_per_session)
     */
    public static Result compute(TorchGeneratorModel model, GeneratorTokens vocab, List<UserHistory> users, List<int[]> sessions) {
        if (users.size() != sessions.size()) {
            throw new IllegalArgumentException(users.size() + " users but " + sessions.size() + " target sessions");
        }
        if (users.isEmpty()) {
            throw new IllegalArgumentException("empty batch");
        }
        GeneratorConfig c = model.config();
        int b = users.size(), m = sessions.getFirst().length, p = c.codeLevels();
        if (m < 1 || m > c.itemsPerSession()) {
            throw new IllegalArgumentException("session length " + m + " outside [1, " + c.itemsPerSession() + "]");
        }
        int t = m * (p + 1) - 1;
        long[] input = new long[b * t];
        long[][] codes = new long[p][b * m];
        for (int i = 0; i < b; i++) {
            int[] s = sessions.get(i);
            if (s.length != m) {
                throw new IllegalArgumentException("sessions of mixed lengths in one batch: " + m + " and " + s.length);
            }
            int[] in = vocab.decoderInput(s);
            for (int j = 0; j < t; j++) input[i * t + j] = in[j];
            int[] ct = vocab.sessionCodeTokens(s);
            for (int j = 0; j < m; j++) {
                for (int l = 0; l < p; l++) codes[l][i * m + j] = ct[j * p + l] - c.codeTokenOffset(l);
            }
        }
        EncoderBatch enc = EncoderBatch.of(vocab, users);
        Tensor encoded = model.encode(enc.tokens(), enc.padded());
        Tensor[] aux = new Tensor[1];
        Tensor hidden = model.decode(Torch.longs(input, b, t), encoded, enc.padded(), aux);
        Tensor[] perLevel = new Tensor[p];
        for (int l = 0; l < p; l++) {
            long[] pos = new long[m];
            for (int j = 0; j < m; j++) pos[j] = (long) j * (p + 1) + l;
            Tensor h = hidden.index_select(1, Torch.longs(pos, m));                  // [B, m, d]
            Tensor logp = model.levelLogits(h, l).log_softmax(-1);                    // [B, m, K_l]
            Tensor target = Torch.longs(codes[l], b, m, 1);
            perLevel[l] = logp.gather(2, target);                                     // [B, m, 1]
        }
        Tensor all = torch.cat(new TensorVector(perLevel), 2).view(b, (long) m * p); // [B, m*P], item-major
        return new Result(all, aux[0]);
    }
}

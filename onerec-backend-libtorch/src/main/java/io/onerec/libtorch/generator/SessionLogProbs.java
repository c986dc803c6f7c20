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

    /**
     * Result: per-code log-probs [B, m*P], the MoE balancing loss of this forward pass (null without MoE), and for
     * sequence windows the encoder's state at each target's last history item, [N, d] (the user state the item head
     * reads, {@link TorchGeneratorModel#itemLogits}; null for sessions).
     */
    public record Result(Tensor tokenLogProbs, Tensor auxLoss, Tensor lastStates) {
        public Result(Tensor tokenLogProbs, Tensor auxLoss) {
            this(tokenLogProbs, auxLoss, null);
        }

        /** Summed log-probability of each session, [B]. */
        public Tensor perSession() {
            return tokenLogProbs.sum(new long[]{1}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
        }
    }

    /** Without dropout (evaluation, DPO reference scores). */
    public static Result compute(TorchGeneratorModel model, GeneratorTokens vocab, List<UserHistory> users, List<int[]> sessions) {
        return compute(model, vocab, users, sessions, 0);
    }

    /**
     * @param sessions one target session per user, all of the same length m (m <= items_per_session)
     * @param dropout  dropout rate of this forward pass (> 0 only for a training step)
     */
    public static Result compute(TorchGeneratorModel model, GeneratorTokens vocab, List<UserHistory> users, List<int[]> sessions,
                                 double dropout) {
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
        Tensor encoded = model.encode(enc.tokens(), enc.items(), enc.padded(), dropout);
        Tensor[] aux = new Tensor[1];
        Tensor hidden = model.decode(Torch.longs(input, b, t), encoded, enc.padded(), aux, dropout);
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

    /**
     * Teacher-forced log-probabilities of every target of every window under a causal-encoder model: one encoder
     * pass per window; target k of a window cross-attends to encoder positions up to its last history item only.
     * Returns per-code log-probs [N, P] over the N targets (windows in order, targets in order) and the MoE loss.
     */
    public static Result computeSequences(TorchGeneratorModel model, GeneratorTokens vocab, List<SequenceExample> windows, double dropout) {
        return computeSequences(model, vocab, windows, dropout, null);
    }

    /**
     * @param priorLogits null, or per code level {@code [targets * K_level]} values added to the level's logits before
     *                    the softmax (a fused prior's weighted log-probabilities, negative infinity for codes outside
     *                    the trie), so the log-probabilities are those of the product of the two experts
     */
    public static Result computeSequences(TorchGeneratorModel model, GeneratorTokens vocab, List<SequenceExample> windows, double dropout,
                                          float[][] priorLogits) {
        return computeSequences(model, vocab, windows, dropout, priorLogits, null);
    }

    /**
     * Soft targets mixed into the one-hot target of every code (knowledge distillation): per code level
     * {@code probs[l][target * K_l + code]}, a distribution over the level's codes for each target (rows sum to 1), and
     * the share they get. The per-code value returned is then {@code (1 - share) * log p(target code) + share * sum over
     * codes of q(code) * log p(code)}: the negated cross-entropy against the mixed target.
     */
    public record SoftTargets(float[][] probs, double share) {
        public SoftTargets {
            if (probs == null) throw new IllegalArgumentException("soft target probabilities must not be null");
            if (!(share >= 0 && share <= 1)) throw new IllegalArgumentException("soft target share must be in [0, 1], got " + share);
        }
    }

    /**
     * @param soft null, or soft targets mixed into the one-hot targets (then the per-code values are negated
     *             cross-entropies against the mixture, see {@link SoftTargets}); not together with {@code priorLogits}
     */
    public static Result computeSequences(TorchGeneratorModel model, GeneratorTokens vocab, List<SequenceExample> windows, double dropout,
                                          float[][] priorLogits, SoftTargets soft) {
        if (priorLogits != null && soft != null) {
            // A product of experts has -infinity logits outside the trie: 0 * -infinity would poison the soft term.
            throw new IllegalArgumentException("a fused prior and soft targets cannot be combined in one loss");
        }
        GeneratorConfig c = model.config();
        if (!c.causalEncoder()) {
            throw new IllegalArgumentException("sequence training needs a causal encoder (causal_encoder = true): a "
                    + "bidirectional encoder state would see the targets that follow it");
        }
        if (windows.isEmpty()) throw new IllegalArgumentException("empty batch");
        int p = c.codeLevels();
        List<UserHistory> histories = new java.util.ArrayList<>(windows.size());
        int n = 0;
        for (SequenceExample w : windows) {
            int[] items = w.items();
            if (items.length - 1 > c.maxHistory()) {
                throw new IllegalArgumentException("window of " + items.length + " items exceeds max_history + 1 = " + (c.maxHistory() + 1));
            }
            histories.add(new UserHistory(w.userId(), java.util.Arrays.copyOf(items, items.length - 1)));
            n += w.targets();
        }
        EncoderBatch enc = EncoderBatch.of(vocab, histories);
        int s = enc.length(), offset = c.userBuckets() > 0 ? 1 : 0;
        long[] encRow = new long[n], lastPos = new long[n];
        boolean[] blocked = new boolean[n * s];
        long[] input = new long[n * p];
        long[][] codes = new long[p][n];
        int r = 0;
        for (int i = 0; i < windows.size(); i++) {
            int[] items = windows.get(i).items();
            for (int k = 0; k + 1 < items.length; k++, r++) {
                encRow[r] = i;
                lastPos[r] = offset + k;
                for (int j = offset + k + 1; j < s; j++) blocked[r * s + j] = true; // later items and padding
                int[] target = {items[k + 1]};
                int[] in = vocab.decoderInput(target);
                for (int j = 0; j < p; j++) input[r * p + j] = in[j];
                int[] ct = vocab.sessionCodeTokens(target);
                for (int l = 0; l < p; l++) codes[l][r] = ct[l] - c.codeTokenOffset(l);
            }
        }
        Tensor encoded = model.encode(enc.tokens(), enc.items(), enc.padded(), dropout);
        Tensor[] aux = new Tensor[1];
        Tensor rows = Torch.longs(encRow, n);
        Tensor last = model.lastStates(encoded, rows, Torch.longs(lastPos, n));
        Tensor hidden = model.decode(Torch.longs(input, n, p), encoded, rows, Torch.bools(blocked, n, 1, 1, s),
                c.bosReadsLastState() ? last : null, aux, dropout);                                                       // [N, P, d]
        Tensor[] perLevel = new Tensor[p];
        for (int l = 0; l < p; l++) {
            Tensor logits = model.levelLogits(hidden.select(1, l), l);                // [N, K_l]
            if (priorLogits != null) {
                if (priorLogits[l].length != (long) n * c.codebookSize(l)) {
                    throw new IllegalArgumentException("prior logits of level " + l + " hold " + priorLogits[l].length
                            + " values, expected " + n + " targets x " + c.codebookSize(l));
                }
                logits = logits.add(Torch.floats(priorLogits[l], n, c.codebookSize(l)));
            }
            Tensor logp = logits.log_softmax(-1);
            perLevel[l] = logp.gather(1, Torch.longs(codes[l], n, 1));              // [N, 1]
            if (soft != null && soft.share() > 0) {
                if (soft.probs()[l].length != (long) n * c.codebookSize(l)) {
                    throw new IllegalArgumentException("soft targets of level " + l + " hold " + soft.probs()[l].length
                            + " values, expected " + n + " targets x " + c.codebookSize(l));
                }
                Tensor q = Torch.floats(soft.probs()[l], n, c.codebookSize(l));
                Tensor expected = logp.mul(q).sum(new long[]{1}, true, new org.bytedeco.pytorch.ScalarTypeOptional()); // [N, 1]
                perLevel[l] = perLevel[l].mul(Torch.scalar(1 - soft.share())).add(expected.mul(Torch.scalar(soft.share())));
            }
        }
        return new Result(torch.cat(new TensorVector(perLevel), 1), aux[0], last);
    }
}

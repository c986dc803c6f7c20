package io.onerec.libtorch.generator;

import io.onerec.api.ItemPrior;
import io.onerec.api.PriorFusion;
import io.onerec.api.SemanticId;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.UserHistory;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.api.generator.GeneratorTokens;
import io.onerec.api.generator.PriorMasses;
import io.onerec.api.sid.PrefixTrie;
import io.onerec.libtorch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The generator's training losses, separate from {@link GeneratorTrainer}'s loop: the mean restricted cross-entropy
 * over every SID code of the targets (with the weighted MoE balancing term), for next-item / session examples and for
 * causal-encoder sequence windows, optionally as one expert of a product with a fused prior.
 */
final class GeneratorLoss {
    private final TorchGeneratorModel model;
    private final GeneratorTokens vocab;
    private final SemanticIdCodec codec;
    private final double dropout;
    private final double moeAuxWeight;
    /** A prior fused into the sequence loss (product of experts), or null. */
    private TargetMasses prior;
    /** A teacher distilled into the sequence loss (its distribution mixed into the one-hot targets), or null. */
    private TargetMasses teacher;
    private double teacherShare;
    /** Weight of the item head's cross-entropy in the loss (0 = off), see {@link #itemHead}. */
    private double itemHeadWeight;

    /** A fused distribution with its trie masses, built for the codec's current trie when first needed. */
    private final class TargetMasses {
        final PriorFusion fusion;
        private PriorMasses masses;
        private PrefixTrie builtFor;

        TargetMasses(PriorFusion fusion) {
            this.fusion = fusion;
        }

        /**
         * {@code weight * log q(code | prefix of the target)} for every code level of every target of the windows, in
         * {@link SessionLogProbs#computeSequences}'s target order: [level][target * K_level + code].
         */
        float[][] conditionalLogMasses(List<SequenceExample> batch) {
            return conditionalLogMasses(batch, evidence(batch));
        }

        /** The prior's training evidence for every target of the windows, in target order. */
        List<ItemPrior.Evidence> evidence(List<SequenceExample> batch) {
            List<ItemPrior.Evidence> out = new ArrayList<>();
            for (SequenceExample w : batch) {
                int[] items = w.items();
                for (int k = 0; k + 1 < items.length; k++) {
                    out.add(fusion.prior().evidenceForTraining(new UserHistory(w.userId(), Arrays.copyOf(items, k + 1)), items[k + 1]));
                }
            }
            return out;
        }

        float[][] conditionalLogMasses(List<SequenceExample> batch, List<ItemPrior.Evidence> evidence) {
            PrefixTrie trie = codec.trie();
            if (masses == null || builtFor != trie) {
                masses = new PriorMasses(trie, fusion);
                builtFor = trie;
            }
            GeneratorConfig c = model.config();
            int n = 0;
            for (SequenceExample w : batch) n += w.targets();
            int levels = c.codeLevels();
            float[][] out = new float[levels][];
            for (int l = 0; l < levels; l++) out[l] = new float[n * c.codebookSize(l)];
            int r = 0;
            for (SequenceExample w : batch) {
                int[] items = w.items();
                for (int k = 0; k + 1 < items.length; k++, r++) {
                    int next = items[k + 1];
                    masses.load(evidence.get(r));
                    SemanticId sid = codec.sidOf(next);
                    int node = trie.root();
                    for (int l = 0; l < levels; l++) {
                        masses.conditionalLogMasses(node, out[l], r * c.codebookSize(l), c.codebookSize(l));
                        node = trie.child(node, sid.code(l));
                    }
                }
            }
            return out;
        }
    }

    GeneratorLoss(TorchGeneratorModel model, GeneratorTokens vocab, SemanticIdCodec codec, double dropout, double moeAuxWeight) {
        this.model = model;
        this.vocab = vocab;
        this.codec = codec;
        this.dropout = dropout;
        this.moeAuxWeight = moeAuxWeight;
    }

    /** Fuses {@code fusion}'s prior (already in product-of-experts form) into the sequence loss; null turns it off. */
    void fusePrior(PriorFusion fusion) {
        if (fusion != null && teacher != null) throw new IllegalStateException("distillation and a fused prior cannot be combined");
        this.prior = fusion == null ? null : new TargetMasses(fusion);
    }

    PriorFusion prior() {
        return prior == null ? null : prior.fusion;
    }

    /**
     * Mixes {@code teacher}'s distribution (an {@link ItemPrior}, e.g. a transition table, with its background share,
     * as {@link PriorFusion} defines it; the fusion's weight is ignored) into the one-hot target of every code of the
     * sequence loss, with {@code share} of the mass: knowledge distillation. Code l's soft target is the teacher's
     * {@code q(code | the target's own prefix)}; the teacher's evidence for a training target is
     * {@link io.onerec.api.ItemPrior#evidenceForTraining} (leave-one-out). The model is served alone. null (or share
     * 0) turns it off.
     */
    void distillFrom(PriorFusion teacher, double share) {
        if (teacher != null && prior != null) throw new IllegalStateException("distillation and a fused prior cannot be combined");
        if (!(share >= 0 && share <= 1)) throw new IllegalArgumentException("distillation share must be in [0, 1], got " + share);
        this.teacher = teacher == null || share == 0 ? null : new TargetMasses(new PriorFusion(teacher.prior(), 1.0, teacher.backgroundShare()));
        this.teacherShare = share;
    }

    /**
     * Adds {@code weight} x the item head's cross-entropy ({@link TorchGeneratorModel#itemLogits} of the encoder's
     * state at each target's last history item, against the target item, mixed with the distilled teacher's item
     * distribution at the teacher's share when there is one) to the sequence loss; 0 turns it off.
     */
    void itemHead(double weight) {
        if (!(weight >= 0) || Double.isInfinite(weight)) throw new IllegalArgumentException("item head weight must be finite and >= 0, got " + weight);
        if (weight > 0 && !model.config().itemEmbeddings()) {
            throw new IllegalArgumentException("the item head scores the encoder's item-ID embeddings; this model has none (item_vocab = 0)");
        }
        this.itemHeadWeight = weight;
    }

    /** Mean cross-entropy over all target codes of the sessions (+ weighted MoE balancing loss); with gradients. */
    Tensor nextToken(List<SessionExample> batch) {
        if (prior != null || teacher != null || itemHeadWeight > 0) {
            // Rather than silently training without them: both are defined on sequence windows only.
            throw new IllegalStateException("a fused prior, distillation and the item head apply to sequence training (fitSequences) only");
        }
        List<UserHistory> users = new ArrayList<>(batch.size());
        List<int[]> sessions = new ArrayList<>(batch.size());
        for (SessionExample e : batch) {
            users.add(e.history());
            sessions.add(e.items());
        }
        SessionLogProbs.Result r = SessionLogProbs.compute(model, vocab, users, sessions, dropout);
        Tensor loss = r.tokenLogProbs().mean().neg();
        if (r.auxLoss() != null && moeAuxWeight > 0) loss = loss.add(r.auxLoss().mul(Torch.scalar(moeAuxWeight)));
        return loss;
    }

    /**
     * Process {@code rank}'s share of the mean cross-entropy over every code of every target of the windows (+ weighted
     * MoE balancing loss): the negated sum of its windows' ({@code rank, rank + world, ...}) code log-probabilities over
     * the whole batch's code count, the balancing term divided by {@code world}. The shares, and their gradients, add
     * up to the whole batch's loss, which is what one process ({@code rank 0, world 1}) computes.
     */
    Tensor sequences(List<SequenceExample> batch, int rank, int world) {
        List<SequenceExample> mine = world == 1 ? batch : new ArrayList<>();
        long targets = 0;
        for (int i = 0; i < batch.size(); i++) {
            targets += batch.get(i).targets();
            if (world > 1 && i % world == rank) mine.add(batch.get(i));
        }
        double codes = (double) targets * model.config().codeLevels();
        if (mine.isEmpty()) {
            // Fewer windows than processes: this one contributes zero (a graph, so that backward runs; the gradients
            // it leaves undefined are zero-filled before the all-reduce).
            return model.parameterList().getFirst().sum().mul(Torch.scalar(0));
        }
        List<ItemPrior.Evidence> taught = teacher == null ? null : teacher.evidence(mine);
        SessionLogProbs.Result r = SessionLogProbs.computeSequences(model, vocab, mine, dropout,
                prior == null ? null : prior.conditionalLogMasses(mine), teacher == null ? null : softTargets(mine, taught));
        Tensor loss = r.tokenLogProbs().sum().neg().div(Torch.scalar(codes));
        if (itemHeadWeight > 0) {
            loss = loss.add(itemHeadLogProbs(mine, r.lastStates(), taught).sum().neg().div(Torch.scalar((double) targets))
                    .mul(Torch.scalar(itemHeadWeight)));
        }
        if (r.auxLoss() != null && moeAuxWeight > 0) loss = loss.add(r.auxLoss().mul(Torch.scalar(moeAuxWeight / world)));
        return loss;
    }

    /** Mean next-token loss (without the MoE term) over examples, in batches, without gradients. */
    double meanNextToken(List<SessionExample> examples, int batchSize) {
        double sum = 0;
        long codes = 0;
        for (int from = 0; from < examples.size(); from += batchSize) {
            List<SessionExample> batch = examples.subList(from, Math.min(examples.size(), from + batchSize));
            try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
                List<UserHistory> users = new ArrayList<>(batch.size());
                List<int[]> sessions = new ArrayList<>(batch.size());
                for (SessionExample e : batch) {
                    users.add(e.history());
                    sessions.add(e.items());
                }
                Tensor lp = SessionLogProbs.compute(model, vocab, users, sessions).tokenLogProbs();
                sum -= lp.sum().item_double();
                codes += lp.numel();
            }
        }
        if (codes == 0) throw new IllegalArgumentException("no examples");
        return sum / codes;
    }

    /**
     * Per target, the item head's log-probability of the target item, or with a teacher the negated cross-entropy
     * against {@code (1 - share) one-hot + share q_teacher} (the teacher's evidence normalised over the items the head
     * scores): [N]. A target outside the item-ID rows (an item added after training) contributes 0.
     */
    Tensor itemHeadLogProbs(List<SequenceExample> batch, Tensor lastStates, List<ItemPrior.Evidence> taught) {
        int vocabRows = model.config().itemVocab();
        int n = (int) lastStates.size(0);
        long[] next = new long[n];
        float[] known = new float[n];
        int r = 0;
        for (SequenceExample w : batch) {
            int[] items = w.items();
            for (int k = 0; k + 1 < items.length; k++, r++) {
                boolean in = items[k + 1] < vocabRows;
                next[r] = in ? items[k + 1] : 0;
                known[r] = in ? 1 : 0;
            }
        }
        Tensor logp = model.itemLogits(lastStates).log_softmax(-1);                          // [N, V]
        Tensor picked = logp.gather(1, Torch.longs(next, n, 1)).view(n).mul(Torch.floats(known, n));
        if (taught == null || teacherShare == 0) return picked;
        int width = 1;
        for (ItemPrior.Evidence e : taught) width = Math.max(width, e.size());
        long[] idx = new long[n * width];
        float[] q = new float[n * width];
        // (1 - s) one-hot + s teacher, s = 0 where the teacher said nothing about the items the head scores.
        float[] oneHotShare = new float[n], teacherShares = new float[n];
        for (int t = 0; t < n; t++) {
            ItemPrior.Evidence e = taught.get(t);
            double total = 0;
            for (int i = 0; i < e.size(); i++) if (e.item(i) < vocabRows) total += e.weight(i);
            boolean said = total > 0;
            teacherShares[t] = said ? (float) teacherShare : 0;
            oneHotShare[t] = 1 - teacherShares[t];
            if (!said) continue;
            for (int i = 0; i < e.size(); i++) {
                if (e.item(i) >= vocabRows) continue;
                idx[t * width + i] = e.item(i);
                q[t * width + i] = (float) (e.weight(i) / total);
            }
        }
        Tensor expected = logp.gather(1, Torch.longs(idx, n, width)).mul(Torch.floats(q, n, width))
                .sum(new long[]{1}, false, new org.bytedeco.pytorch.ScalarTypeOptional());   // [N]
        return picked.mul(Torch.floats(oneHotShare, n)).add(expected.mul(Torch.floats(teacherShares, n)));
    }

    /** The teacher's {@code q(code | prefix of the target)} in the same layout (0 for codes outside the trie). */
    private SessionLogProbs.SoftTargets softTargets(List<SequenceExample> batch, List<ItemPrior.Evidence> taught) {
        float[][] q = teacher.conditionalLogMasses(batch, taught); // the teacher's weight is 1: log q
        for (float[] level : q) {
            for (int i = 0; i < level.length; i++) level[i] = (float) Math.exp(level[i]); // exp(-inf) = 0 outside the trie
        }
        return new SessionLogProbs.SoftTargets(q, teacherShare);
    }
}

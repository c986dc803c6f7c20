package io.onerec.libtorch.reasoner;

import io.onerec.api.SemanticId;
import io.onerec.api.sid.PrefixTrie;
import io.onerec.libtorch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * The reasoner's two decoding modes, without gradients: temperature sampling of rationales until {@code </think>},
 * and beam search over SID codes constrained to the codec's prefix trie. Each step recomputes the whole sequence
 * (no KV cache): rationales are short and the models trained here are small, so this keeps the code simple.
 */
final class ReasonerDecoding {
    private final QwenModel model;
    private final SidVocabulary vocab;
    private final boolean[] rationaleBlocked;

    ReasonerDecoding(QwenModel model, SidVocabulary vocab) {
        this.model = model;
        this.vocab = vocab;
        int v = model.config().vocabSize();
        if (v < vocab.tokenizer().vocabSize()) {
            throw new IllegalArgumentException("model vocabulary " + v + " is smaller than the tokenizer's " + vocab.tokenizer().vocabSize());
        }
        rationaleBlocked = new boolean[v];
        for (int id = 0; id < v; id++) {
            rationaleBlocked[id] = id >= vocab.tokenizer().vocabSize() || vocab.isItemToken(id) || id == vocab.thinkBegin()
                    || vocab.tokenizer().isControl(id);
        }
    }

    /** A sampled rationale: the tokens after the prompt, from {@code <think>} through {@code </think>}. */
    record Rationale(int[] tokens, double logProb) {
    }

    /** Samples {@code n} rationales after {@code prompt}; a rationale reaching {@code maxTokens} is closed by force. */
    List<Rationale> sample(int[] prompt, int n, double temperature, int maxTokens, Random rnd) {
        if (temperature <= 0) throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
        int v = model.config().vocabSize();
        int[][] seqs = new int[n][];
        int[] lengths = new int[n];
        double[] logProbs = new double[n];
        boolean[] done = new boolean[n];
        for (int i = 0; i < n; i++) {
            seqs[i] = Arrays.copyOf(prompt, prompt.length + maxTokens + 2);
            seqs[i][prompt.length] = vocab.thinkBegin();
            lengths[i] = prompt.length + 1;
        }
        int len = prompt.length + 1;
        for (int step = 0; step < maxTokens; step++) {
            float[] logits = lastLogits(seqs, len);
            boolean any = false;
            for (int i = 0; i < n; i++) {
                if (done[i]) {
                    seqs[i][len] = vocab.thinkEnd();   // filler, never read: finished paths are cut at lengths[i]
                    continue;
                }
                double[] p = new double[v];
                double max = Double.NEGATIVE_INFINITY;
                for (int t = 0; t < v; t++) if (!rationaleBlocked[t]) max = Math.max(max, logits[i * v + t] / temperature);
                double z = 0;
                for (int t = 0; t < v; t++) {
                    p[t] = rationaleBlocked[t] ? 0 : Math.exp(logits[i * v + t] / temperature - max);
                    z += p[t];
                }
                double u = rnd.nextDouble() * z;
                int pick = -1;
                for (int t = 0; t < v; t++) {
                    if (p[t] == 0) continue;
                    pick = t;
                    u -= p[t];
                    if (u <= 0) break;
                }
                logProbs[i] += Math.log(p[pick] / z);
                seqs[i][len] = pick;
                lengths[i] = len + 1;
                if (pick == vocab.thinkEnd()) done[i] = true;
                else any = true;
            }
            len++;
            if (!any) break;
        }
        List<Rationale> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int[] r = Arrays.copyOfRange(seqs[i], prompt.length, lengths[i]);
            if (!done[i]) {
                r = Arrays.copyOf(r, r.length + 1);
                r[r.length - 1] = vocab.thinkEnd();
            }
            out.add(new Rationale(r, logProbs[i]));
        }
        return out;
    }

    /** A SID prefix found by the beam search with its summed log-probability. */
    record SidBeam(SemanticId codes, double logProb) {
    }

    /**
     * Beam search over the first {@code levels} SID codes after {@code context} (which must end with
     * {@code <|item_begin|>}), keeping {@code width} prefixes that exist in the trie, best first.
     */
    List<SidBeam> beamSearch(int[] context, PrefixTrie trie, int width, int levels) {
        if (levels < 1 || levels > trie.depth() || levels > vocab.levels()) {
            throw new IllegalArgumentException("prefix length " + levels + " outside [1, " + Math.min(trie.depth(), vocab.levels()) + "]");
        }
        if (context.length == 0 || context[context.length - 1] != vocab.itemBegin()) {
            throw new IllegalArgumentException("beam search context must end with " + SidVocabulary.ITEM_BEGIN);
        }
        int v = model.config().vocabSize();
        List<int[]> codes = List.of(new int[0]);
        List<Integer> nodes = List.of(trie.root());
        double[] scores = {0};
        for (int level = 0; level < levels; level++) {
            int[][] seqs = new int[codes.size()][];
            for (int b = 0; b < seqs.length; b++) {
                seqs[b] = Arrays.copyOf(context, context.length + level);
                for (int l = 0; l < level; l++) seqs[b][context.length + l] = vocab.tokenId(l, codes.get(b)[l]);
            }
            float[] logp = lastLogProbs(seqs, context.length + level);
            record Cand(int beam, int code, int node, double score) {
            }
            List<Cand> cands = new ArrayList<>();
            for (int b = 0; b < seqs.length; b++) {
                int node = nodes.get(b);
                for (int i = 0, c = trie.childCount(node); i < c; i++) {
                    int code = trie.childCode(node, i);
                    cands.add(new Cand(b, code, trie.childNode(node, i), scores[b] + logp[b * v + vocab.tokenId(level, code)]));
                }
            }
            cands.sort(Comparator.comparingDouble(Cand::score).reversed());
            int keep = Math.min(width, cands.size());
            List<int[]> nextCodes = new ArrayList<>(keep);
            List<Integer> nextNodes = new ArrayList<>(keep);
            double[] nextScores = new double[keep];
            for (int k = 0; k < keep; k++) {
                Cand c = cands.get(k);
                int[] cc = Arrays.copyOf(codes.get(c.beam()), level + 1);
                cc[level] = c.code();
                nextCodes.add(cc);
                nextNodes.add(c.node());
                nextScores[k] = c.score();
            }
            codes = nextCodes;
            nodes = nextNodes;
            scores = nextScores;
        }
        List<SidBeam> out = new ArrayList<>(codes.size());
        for (int b = 0; b < codes.size(); b++) out.add(new SidBeam(SemanticId.of(codes.get(b)), scores[b]));
        return out;
    }

    /** Logits at position {@code len-1} of each sequence (all at least {@code len} long), [n * V] row-major. */
    private float[] lastLogits(int[][] seqs, int len) {
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            return Torch.toFloats(last(seqs, len));
        }
    }

    private float[] lastLogProbs(int[][] seqs, int len) {
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            return Torch.toFloats(last(seqs, len).log_softmax(-1));
        }
    }

    private Tensor last(int[][] seqs, int len) {
        long[] ids = new long[seqs.length * len];
        for (int i = 0; i < seqs.length; i++) for (int j = 0; j < len; j++) ids[i * len + j] = seqs[i][j];
        Tensor logits = model.forward(Torch.longs(ids, seqs.length, len));
        return logits.select(1, len - 1);
    }
}

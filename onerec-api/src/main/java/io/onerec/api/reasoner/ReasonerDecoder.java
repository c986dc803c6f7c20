package io.onerec.api.reasoner;

import io.onerec.api.SemanticId;
import io.onerec.api.sid.PrefixTrie;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;

/**
 * The reasoner's two decoding modes over any {@link LanguageModel}, with a key/value cache: temperature sampling of
 * rationales until {@code </think>}, and beam search over SID codes constrained to the codec's prefix trie.
 */
public final class ReasonerDecoder {
    private final LanguageModel model;
    private final SidVocabulary vocab;
    private final boolean[] rationaleBlocked;

    public ReasonerDecoder(LanguageModel model, SidVocabulary vocab) {
        this.model = model;
        this.vocab = vocab;
        int v = model.vocabSize();
        if (v < vocab.tokenizer().vocabSize()) {
            throw new IllegalArgumentException("model vocabulary " + v + " is smaller than the tokenizer's " + vocab.tokenizer().vocabSize());
        }
        // A rationale is text: item tokens, markers, control ids and the checkpoint's padding rows are never sampled.
        rationaleBlocked = new boolean[v];
        for (int id = 0; id < v; id++) {
            rationaleBlocked[id] = id >= vocab.tokenizer().vocabSize() || vocab.isItemToken(id) || id == vocab.thinkBegin()
                    || vocab.tokenizer().isControl(id);
        }
    }

    /** A sampled rationale: the tokens after the prompt, from {@code <think>} through {@code </think>}. */
    public record Rationale(int[] tokens, double logProb) {
    }

    /** A SID (prefix) found by the beam search with its summed log-probability. */
    public record SidBeam(SemanticId codes, double logProb) {
    }

    /**
     * Samples {@code n} rationales after {@code prompt}; one reaching {@code maxTokens} is closed by force. Finished
     * rows leave the decoding state, so the cost of a step is proportional to the rationales still open.
     */
    public List<Rationale> sample(int[] prompt, int n, double temperature, int maxTokens, Random rnd) {
        if (temperature <= 0) throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
        if (n < 1 || maxTokens < 1) throw new IllegalArgumentException("need n >= 1 and maxTokens >= 1, got " + n + ", " + maxTokens);
        int v = model.vocabSize();
        int[][] tokens = new int[n][maxTokens + 2];
        int[] lengths = new int[n];
        double[] logProbs = new double[n];
        for (int i = 0; i < n; i++) {
            tokens[i][0] = vocab.thinkBegin();
            lengths[i] = 1;
        }
        int[] open = new int[n];               // state row -> rationale index
        for (int i = 0; i < n; i++) open[i] = i;
        int openCount = n;
        double[] p = new double[v];
        try (DecodingState state = model.start(ReasonerTexts.concat(prompt, new int[]{vocab.thinkBegin()}), n)) {
            for (int step = 0; step < maxTokens && openCount > 0; step++) {
                float[] logits = state.logits();
                int[] keep = new int[openCount], next = new int[openCount];
                int kept = 0;
                for (int row = 0; row < openCount; row++) {
                    int i = open[row];
                    int pick = sampleRow(logits, row * v, v, temperature, rnd, p);
                    logProbs[i] += p[pick];
                    tokens[i][lengths[i]++] = pick;
                    if (pick != vocab.thinkEnd()) {
                        keep[kept] = row;
                        next[kept++] = pick;
                    }
                }
                int[] stillOpen = new int[kept];
                for (int r = 0; r < kept; r++) stillOpen[r] = open[keep[r]];
                open = stillOpen;
                openCount = kept;
                if (kept > 0 && step + 1 < maxTokens) {
                    if (kept < state.rows()) state.select(Arrays.copyOf(keep, kept));
                    state.append(Arrays.copyOf(next, kept));
                }
            }
        }
        List<Rationale> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int[] r = Arrays.copyOf(tokens[i], lengths[i]);
            if (r[r.length - 1] != vocab.thinkEnd()) {
                r = Arrays.copyOf(r, r.length + 1);
                r[r.length - 1] = vocab.thinkEnd();
            }
            out.add(new Rationale(r, logProbs[i]));
        }
        return out;
    }

    /**
     * Draws one token of row {@code logits[off, off + v)} at this temperature among the unblocked ids; leaves the
     * log-probability of the drawn token in {@code scratch[pick]}.
     */
    private int sampleRow(float[] logits, int off, int v, double temperature, Random rnd, double[] scratch) {
        double max = Double.NEGATIVE_INFINITY;
        for (int t = 0; t < v; t++) if (!rationaleBlocked[t]) max = Math.max(max, logits[off + t] / temperature);
        double z = 0;
        for (int t = 0; t < v; t++) {
            scratch[t] = rationaleBlocked[t] ? 0 : Math.exp(logits[off + t] / temperature - max);
            z += scratch[t];
        }
        double u = rnd.nextDouble() * z;
        int pick = -1;
        for (int t = 0; t < v; t++) {
            if (scratch[t] == 0) continue;
            pick = t;
            u -= scratch[t];
            if (u <= 0) break;
        }
        scratch[pick] = Math.log(scratch[pick] / z);
        return pick;
    }

    /**
     * Beam search over the first {@code levels} SID codes after {@code context} (which must end with
     * {@code <|item_begin|>}), keeping {@code width} prefixes that exist in the trie, best first. Scores are
     * log-probabilities under the full-vocabulary softmax, so they are comparable across paths.
     */
    public List<SidBeam> beamSearch(int[] context, PrefixTrie trie, int width, int levels) {
        if (levels < 1 || levels > trie.depth() || levels > vocab.levels()) {
            throw new IllegalArgumentException("prefix length " + levels + " outside [1, " + Math.min(trie.depth(), vocab.levels()) + "]");
        }
        if (width < 1) throw new IllegalArgumentException("beam width must be >= 1, got " + width);
        if (context.length == 0 || context[context.length - 1] != vocab.itemBegin()) {
            throw new IllegalArgumentException("beam search context must end with " + SidVocabulary.ITEM_BEGIN);
        }
        int v = model.vocabSize();
        int[][] codes = {new int[0]};
        int[] nodes = {trie.root()};
        double[] scores = {0};
        record Cand(int beam, int code, int node, double score) {
        }
        try (DecodingState state = model.start(context, 1)) {
            for (int level = 0; level < levels; level++) {
                float[] logits = state.logits();
                PriorityQueue<Cand> best = new PriorityQueue<>((a, b) -> Double.compare(a.score(), b.score()));
                for (int b = 0; b < codes.length; b++) {
                    double norm = logSumExp(logits, b * v, v);
                    int node = nodes[b];
                    for (int i = 0, c = trie.childCount(node); i < c; i++) {
                        int code = trie.childCode(node, i);
                        double s = scores[b] + logits[b * v + vocab.tokenId(level, code)] - norm;
                        if (best.size() < width) best.add(new Cand(b, code, trie.childNode(node, i), s));
                        else if (s > best.peek().score()) {
                            best.poll();
                            best.add(new Cand(b, code, trie.childNode(node, i), s));
                        }
                    }
                }
                Cand[] kept = best.toArray(new Cand[0]);
                Arrays.sort(kept, (a, b) -> Double.compare(b.score(), a.score()));
                int[][] nextCodes = new int[kept.length][];
                int[] nextNodes = new int[kept.length], parents = new int[kept.length], tokens = new int[kept.length];
                double[] nextScores = new double[kept.length];
                for (int k = 0; k < kept.length; k++) {
                    Cand c = kept[k];
                    nextCodes[k] = Arrays.copyOf(codes[c.beam()], level + 1);
                    nextCodes[k][level] = c.code();
                    nextNodes[k] = c.node();
                    nextScores[k] = c.score();
                    parents[k] = c.beam();
                    tokens[k] = vocab.tokenId(level, c.code());
                }
                codes = nextCodes;
                nodes = nextNodes;
                scores = nextScores;
                if (level + 1 < levels) {
                    state.select(parents);
                    state.append(tokens);
                }
            }
        }
        List<SidBeam> out = new ArrayList<>(codes.length);
        for (int b = 0; b < codes.length; b++) out.add(new SidBeam(SemanticId.of(codes[b]), scores[b]));
        return out;
    }

    private static double logSumExp(float[] x, int off, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = off; i < off + n; i++) max = Math.max(max, x[i]);
        double sum = 0;
        for (int i = off; i < off + n; i++) sum += Math.exp(x[i] - max);
        return max + Math.log(sum);
    }
}

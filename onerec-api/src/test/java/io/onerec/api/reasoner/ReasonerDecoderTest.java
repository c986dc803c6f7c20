package io.onerec.api.reasoner;

import io.onerec.api.SemanticId;
import io.onerec.api.sid.PrefixTrie;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class ReasonerDecoderTest {
    private static final int[] SIZES = {3, 4, 2};

    /**
     * A deterministic "language model" whose next-token logits are a hash of the whole sequence so far, decoded
     * without any cache: every state row keeps its full token list. The decoder's cache bookkeeping (fan-out,
     * select, append) must reproduce what recomputing each sequence gives.
     */
    static final class HashLm implements LanguageModel {
        final int vocab;
        int starts;

        HashLm(int vocab) {
            this.vocab = vocab;
        }

        float[] logitsOf(int[] seq) {
            float[] out = new float[vocab];
            long h = Arrays.hashCode(seq);
            Random r = new Random(h * 31 + seq.length);
            for (int v = 0; v < vocab; v++) out[v] = (float) (2 * r.nextGaussian());
            return out;
        }

        @Override
        public int vocabSize() {
            return vocab;
        }

        @Override
        public DecodingState start(int[] prefix, int rows) {
            starts++;
            List<int[]> seqs = new ArrayList<>();
            for (int i = 0; i < rows; i++) seqs.add(prefix.clone());
            return new DecodingState() {
                List<int[]> rowsNow = seqs;

                public int rows() {
                    return rowsNow.size();
                }

                public int length() {
                    return rowsNow.get(0).length;
                }

                public float[] logits() {
                    float[] out = new float[rowsNow.size() * vocab];
                    for (int i = 0; i < rowsNow.size(); i++) System.arraycopy(logitsOf(rowsNow.get(i)), 0, out, i * vocab, vocab);
                    return out;
                }

                public void append(int[] tokens) {
                    assertEquals(rowsNow.size(), tokens.length);
                    for (int i = 0; i < tokens.length; i++) {
                        int[] s = Arrays.copyOf(rowsNow.get(i), rowsNow.get(i).length + 1);
                        s[s.length - 1] = tokens[i];
                        rowsNow.set(i, s);
                    }
                }

                public void select(int[] keep) {
                    List<int[]> next = new ArrayList<>();
                    for (int k : keep) next.add(rowsNow.get(k).clone());
                    rowsNow = next;
                }

                public void close() {
                }
            };
        }

        @Override
        public void save(Path dir) {
            throw new UnsupportedOperationException();
        }
    }

    private static SidVocabulary vocab() {
        return SidVocabulary.extend(WordTokenizer.build(List.of("likes red lipstick so blue nail polish"), 1, 100), SIZES);
    }

    private static PrefixTrie trie() {
        // A sparse catalog: not every code combination exists.
        List<SemanticId> sids = new ArrayList<>();
        Random r = new Random(3);
        for (int a = 0; a < 3; a++) for (int b = 0; b < 4; b++) for (int c = 0; c < 2; c++) if (r.nextDouble() < 0.6) sids.add(SemanticId.of(a, b, c));
        return PrefixTrie.build(sids.toArray(SemanticId[]::new));
    }

    private static double logSoftmaxAt(float[] logits, int token) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        double sum = 0;
        for (float l : logits) sum += Math.exp(l - max);
        return logits[token] - max - Math.log(sum);
    }

    @Test
    void wideBeamSearchEqualsBruteForceOverTheTrie() {
        SidVocabulary v = vocab();
        HashLm lm = new HashLm(v.tokenizer().vocabSize() + 3);   // padding rows beyond the tokenizer, as in Qwen
        PrefixTrie trie = trie();
        int[] context = {5, 6, 7, v.itemBegin()};
        for (int levels = 1; levels <= 3; levels++) {
            // Brute force: every valid prefix of this length, scored by recomputing each sequence.
            List<ReasonerDecoder.SidBeam> all = new ArrayList<>();
            for (SemanticId p : trie.prefixes(levels)) {
                int[] seq = context.clone();
                double score = 0;
                for (int l = 0; l < levels; l++) {
                    int token = v.tokenId(l, p.code(l));
                    score += logSoftmaxAt(lm.logitsOf(seq), token);
                    seq = Arrays.copyOf(seq, seq.length + 1);
                    seq[seq.length - 1] = token;
                }
                all.add(new ReasonerDecoder.SidBeam(p, score));
            }
            all.sort(Comparator.comparingDouble(ReasonerDecoder.SidBeam::logProb).reversed());
            int width = all.size();   // wide enough that the beam never prunes: exact top-k
            List<ReasonerDecoder.SidBeam> beam = new ReasonerDecoder(lm, v).beamSearch(context, trie, width, levels);
            assertEquals(all.size(), beam.size());
            for (int i = 0; i < all.size(); i++) {
                assertEquals(all.get(i).codes(), beam.get(i).codes(), "rank " + i + " at " + levels + " levels");
                assertEquals(all.get(i).logProb(), beam.get(i).logProb(), 1e-6);
            }
        }
    }

    @Test
    void narrowBeamKeepsValidPrefixesBestFirst() {
        SidVocabulary v = vocab();
        PrefixTrie trie = trie();
        List<ReasonerDecoder.SidBeam> beam = new ReasonerDecoder(new HashLm(v.tokenizer().vocabSize()), v)
                .beamSearch(new int[]{4, v.itemBegin()}, trie, 3, 2);
        assertEquals(3, beam.size());
        for (int i = 0; i < beam.size(); i++) {
            assertTrue(trie.contains(beam.get(i).codes()), beam.get(i).codes() + " is not in the trie");
            if (i > 0) assertTrue(beam.get(i - 1).logProb() >= beam.get(i).logProb());
        }
        assertThrows(IllegalArgumentException.class, () -> new ReasonerDecoder(new HashLm(v.tokenizer().vocabSize()), v)
                .beamSearch(new int[]{4}, trie, 3, 2), "context must end with <|item_begin|>");
        assertThrows(IllegalArgumentException.class, () -> new ReasonerDecoder(new HashLm(v.tokenizer().vocabSize()), v)
                .beamSearch(new int[]{v.itemBegin()}, trie, 3, 4));
    }

    @Test
    void sampledRationalesAreTextClosedByThinkEndAndReproducible() {
        SidVocabulary v = vocab();
        HashLm lm = new HashLm(v.tokenizer().vocabSize() + 3);
        ReasonerDecoder d = new ReasonerDecoder(lm, v);
        int[] prompt = {5, 6, 7};
        List<ReasonerDecoder.Rationale> a = d.sample(prompt, 6, 1.5, 10, new Random(1));
        List<ReasonerDecoder.Rationale> b = d.sample(prompt, 6, 1.5, 10, new Random(1));
        assertEquals(6, a.size());
        for (int i = 0; i < a.size(); i++) {
            int[] t = a.get(i).tokens();
            assertArrayEquals(t, b.get(i).tokens());
            assertEquals(v.thinkBegin(), t[0]);
            assertEquals(v.thinkEnd(), t[t.length - 1]);
            assertTrue(t.length <= 12, "at most maxTokens sampled plus the markers");
            // The log-probability is that of the sampled tokens under the temperature-scaled, masked softmax.
            double expected = 0;
            int[] seq = ReasonerTexts.concat(prompt, new int[]{v.thinkBegin()});
            for (int j = 1; j < t.length; j++) {
                if (j == t.length - 1 && t.length == 12 && t[j - 1] != v.thinkEnd()) break;   // forced close carries no probability
                float[] logits = lm.logitsOf(seq);
                double max = Double.NEGATIVE_INFINITY, z = 0;
                for (int id = 0; id < logits.length; id++) if (allowed(v, id)) max = Math.max(max, logits[id] / 1.5);
                for (int id = 0; id < logits.length; id++) if (allowed(v, id)) z += Math.exp(logits[id] / 1.5 - max);
                assertTrue(allowed(v, t[j]), "token " + t[j] + " may not appear in a rationale");
                expected += logits[t[j]] / 1.5 - max - Math.log(z);
                seq = ReasonerTexts.concat(seq, new int[]{t[j]});
            }
            assertEquals(expected, a.get(i).logProb(), 1e-6);
        }
    }

    private static boolean allowed(SidVocabulary v, int id) {
        return id < v.tokenizer().vocabSize() && !v.isItemToken(id) && id != v.thinkBegin() && !v.tokenizer().isControl(id);
    }
}

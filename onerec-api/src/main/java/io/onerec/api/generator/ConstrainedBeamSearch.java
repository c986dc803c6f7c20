package io.onerec.api.generator;

import io.onerec.api.GeneratedSession;
import io.onerec.api.GenerationConfig;
import io.onerec.api.SemanticId;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.UserHistory;
import io.onerec.api.sid.PrefixTrie;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Beam search over semantic IDs constrained by the codec's prefix trie, exactly as specified in
 * docs/generator-model.md: every emitted item is a valid catalog item, optional restriction to allowed SID prefixes
 * (Think-Ahead), no repeated item within a session, optional exclusion of history items. The model math is behind
 * {@link StepDecoder}, so every backend shares these semantics, including tie-breaking (score, then lower parent
 * slot, then lower code).
 */
public final class ConstrainedBeamSearch {
    private final GeneratorConfig config;
    private final SemanticIdCodec codec;
    private final PrefixTrie trie;

    public ConstrainedBeamSearch(GeneratorConfig config, SemanticIdCodec codec) {
        if (!Arrays.equals(config.codebookSizes(), codec.codebookSizes())) {
            throw new IllegalArgumentException("generator codebook sizes " + Arrays.toString(config.codebookSizes())
                    + " do not match the codec's " + Arrays.toString(codec.codebookSizes()));
        }
        this.config = config;
        this.codec = codec;
        this.trie = codec.trie();
    }

    public List<List<GeneratedSession>> search(StepDecoder decoder, List<UserHistory> users, GenerationConfig gen) {
        if (gen.itemsPerSession() > config.itemsPerSession()) {
            throw new IllegalArgumentException("itemsPerSession " + gen.itemsPerSession() + " exceeds the model's items_per_session "
                    + config.itemsPerSession());
        }
        for (UserHistory u : users) {
            for (int it : u.items()) {
                if (it >= codec.itemCount()) {
                    throw new IllegalArgumentException("user " + u.userId() + " has unknown item " + it + " (catalog has " + codec.itemCount() + ")");
                }
            }
            if (u.length() == 0 && config.userBuckets() == 0) {
                throw new IllegalArgumentException("user " + u.userId() + " has an empty history and the model has no user tokens");
            }
        }
        PrefixTrie allowed = null;
        int allowedDepth = 0;
        if (gen.restricted()) {
            SemanticId[] prefixes = gen.allowedPrefixes().toArray(SemanticId[]::new);
            allowed = PrefixTrie.build(prefixes);
            allowedDepth = allowed.depth();
            if (allowedDepth > config.codeLevels()) {
                throw new IllegalArgumentException("allowed prefixes of length " + allowedDepth + " exceed the SID length " + config.codeLevels());
            }
        }
        int b = gen.beamWidth(), u = users.size(), n = u * b, levels = config.codeLevels(), m = gen.itemsPerSession();
        State st = new State(n, m);
        State next = new State(n, m); // double-buffered: no per-step allocation
        for (int s = 0; s < n; s++) {
            st.score[s] = s % b == 0 ? 0.0 : Double.NEGATIVE_INFINITY;
        }
        int[][] history = new int[u][];
        for (int i = 0; i < u; i++) {
            history[i] = users.get(i).items();
            Arrays.sort(history[i]);
        }
        Candidates cand = new Candidates();
        try (StepDecoder.Session session = decoder.start(users, b)) {
            int[] tokens = new int[n];
            int[] parents = new int[n];
            for (int s = 0; s < n; s++) parents[s] = s;
            Arrays.fill(tokens, GeneratorConfig.BOS);
            for (int slot = 0; slot < m; slot++) {
                if (slot > 0) {
                    // Feed the previous item's last code (output unused), then BOS for the next item.
                    session.step(tokens, parents, -1);
                    for (int s = 0; s < n; s++) parents[s] = s;
                    Arrays.fill(tokens, GeneratorConfig.BOS);
                    Arrays.fill(st.node, trie.root());
                    Arrays.fill(st.allowNode, 0);
                }
                for (int level = 0; level < levels; level++) {
                    float[] logp = session.step(tokens, parents, level);
                    int k = config.codebookSize(level);
                    boolean last = level == levels - 1;
                    for (int user = 0; user < u; user++) {
                        cand.clear();
                        for (int p = user * b; p < (user + 1) * b; p++) {
                            if (st.score[p] == Double.NEGATIVE_INFINITY) continue;
                            int node = st.node[p];
                            for (int c = 0, cc = trie.childCount(node); c < cc; c++) {
                                int code = trie.childCode(node, c);
                                int allowNode = -1;
                                if (allowed != null && level < allowedDepth) {
                                    allowNode = allowed.child(st.allowNode[p], code);
                                    if (allowNode < 0) continue;
                                }
                                int childNode = trie.childNode(node, c);
                                if (last) {
                                    int item = trie.itemAt(childNode);
                                    if (contains(st.items[p], slot, item)) continue;
                                    if (gen.excludeHistory() && Arrays.binarySearch(history[user], item) >= 0) continue;
                                }
                                cand.add(st.score[p] + logp[p * k + code], p, code, childNode, allowNode);
                            }
                        }
                        int kept = cand.selectTop(b);
                        for (int j = 0; j < b; j++) {
                            int s = user * b + j;
                            if (j >= kept) {
                                next.score[s] = Double.NEGATIVE_INFINITY;
                                parents[s] = user * b; // any slot of the same user; the beam is dead
                                tokens[s] = GeneratorConfig.PAD;
                                continue;
                            }
                            int c = cand.order[j];
                            int p = cand.parent[c];
                            next.score[s] = cand.score[c];
                            next.node[s] = cand.node[c];
                            next.allowNode[s] = cand.allowNode[c];
                            System.arraycopy(st.items[p], 0, next.items[s], 0, m);
                            if (last) next.items[s][slot] = trie.itemAt(cand.node[c]);
                            parents[s] = p;
                            tokens[s] = config.codeToken(level, cand.code[c]);
                        }
                    }
                    State done = st;
                    st = next;
                    next = done;
                }
            }
        }
        List<List<GeneratedSession>> out = new ArrayList<>(u);
        for (int user = 0; user < u; user++) {
            List<GeneratedSession> sessions = new ArrayList<>(b);
            for (int s = user * b; s < (user + 1) * b; s++) {
                if (st.score[s] != Double.NEGATIVE_INFINITY) {
                    sessions.add(new GeneratedSession(Arrays.copyOf(st.items[s], m), st.score[s]));
                }
            }
            out.add(sessions);
        }
        return out;
    }

    private static boolean contains(int[] items, int count, int item) {
        for (int i = 0; i < count; i++) if (items[i] == item) return true;
        return false;
    }

    /** Per-slot beam state. */
    private static final class State {
        final double[] score;
        final int[] node;
        final int[] allowNode;
        final int[][] items;

        State(int n, int m) {
            score = new double[n];
            node = new int[n];
            allowNode = new int[n];
            items = new int[n][m];
        }
    }

    /**
     * Candidate expansions of one user's beams. Selection keeps the best b in a bounded heap (O(size log b), no
     * boxing) instead of sorting all candidates; the order is (score desc, then generation order), and candidates
     * are generated in (parent, code) order, which gives the documented tie-breaks.
     */
    static final class Candidates {
        double[] score = new double[64];
        int[] parent = new int[64], code = new int[64], node = new int[64], allowNode = new int[64];
        int[] order = new int[0];
        int size;

        void clear() {
            size = 0;
        }

        void add(double sc, int p, int c, int nd, int an) {
            if (size == score.length) {
                int cap = size * 2;
                score = Arrays.copyOf(score, cap);
                parent = Arrays.copyOf(parent, cap);
                code = Arrays.copyOf(code, cap);
                node = Arrays.copyOf(node, cap);
                allowNode = Arrays.copyOf(allowNode, cap);
            }
            score[size] = sc;
            parent[size] = p;
            code[size] = c;
            node[size] = nd;
            allowNode[size] = an;
            size++;
        }

        /** Whether candidate x ranks before candidate y. */
        private boolean before(int x, int y) {
            int cmp = Double.compare(score[x], score[y]);
            return cmp > 0 || (cmp == 0 && x < y);
        }

        /** Orders the best min(b, size) candidates into {@code order[0..)}; returns how many. */
        int selectTop(int b) {
            int k = Math.min(b, size);
            if (order.length < k) order = new int[Math.max(k, 2 * order.length)];
            // order[0..k) is a heap whose root is the worst kept candidate.
            int heap = 0;
            for (int i = 0; i < size; i++) {
                if (heap < k) {
                    order[heap] = i;
                    siftUp(heap++);
                } else if (before(i, order[0])) {
                    order[0] = i;
                    siftDown(0, heap);
                }
            }
            // Pop the worst to the back until the heap is empty: order[0..k) ends up best first.
            for (int end = k - 1; end > 0; end--) {
                int worst = order[0];
                order[0] = order[end];
                order[end] = worst;
                siftDown(0, end);
            }
            return k;
        }

        private void siftUp(int i) {
            while (i > 0) {
                int parentIdx = (i - 1) >>> 1;
                if (!before(order[parentIdx], order[i])) break;
                swap(i, parentIdx);
                i = parentIdx;
            }
        }

        private void siftDown(int i, int n) {
            while (true) {
                int l = 2 * i + 1, r = l + 1, worst = i;
                if (l < n && before(order[worst], order[l])) worst = l;
                if (r < n && before(order[worst], order[r])) worst = r;
                if (worst == i) return;
                swap(i, worst);
                i = worst;
            }
        }

        private void swap(int i, int j) {
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }
}

package io.onerec.api.generator;

import io.onerec.api.GeneratedSession;
import io.onerec.api.ItemFilter;
import io.onerec.api.DecodingOptions;
import io.onerec.api.ItemPrior;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.UserHistory;
import io.onerec.api.sid.PrefixTrie;
import io.onerec.api.sid.TrieMask;
import io.onerec.api.sid.TrieMasks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Beam search over semantic IDs constrained by the codec's prefix trie, exactly as specified in
 * docs/generator-model.md: every emitted item is a valid catalog item, optional restriction to allowed SID prefixes
 * (Think-Ahead), no repeated item within a session, optional exclusion of history items, and the request's
 * {@link io.onerec.api.ItemFilter}. Prefixes, history and filter become one {@link TrieMask} per user, and a beam is
 * only ever expanded into a child whose subtree still holds an allowed item: a filtered search over the full trie
 * makes exactly the choices an unfiltered search makes over the trie of the allowed items. The model math is behind
 * {@link StepDecoder}, so every backend shares these semantics, including tie-breaking (score, then lower parent
 * slot, then lower code). Under {@link DecodingOptions.CodeSoftmax#TRIE} the search asks the decoder for the
 * log-probabilities of each live beam's trie children only ({@link StepDecoder.Session#stepSparse}), normalised over
 * them; everything else (masks, fusion, sessions, ties) is the same code path.
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

    /** The background masses of the last fused prior, kept because they depend only on the prior and this trie. */
    private volatile FusedBackground fusedBackground;

    private record FusedBackground(ItemPrior prior, double[] masses) {
    }

    private double[] backgroundMasses(ItemPrior prior) {
        FusedBackground cached = fusedBackground;
        if (cached == null || cached.prior() != prior) {
            cached = new FusedBackground(prior, PriorMasses.background(trie, prior));
            fusedBackground = cached;
        }
        return cached.masses();
    }

    /** Most beam slots (users x beam width) in one search; backends split bigger batches into several searches. */
    public static final int MAX_BEAM_SLOTS = 1 << 20;

    /**
     * The beam width a search really needs: never more than the number of distinct sessions of {@code items} items
     * the catalog holds ({@code catalog^items}), since more beams could only stay empty.
     */
    public static int effectiveBeamWidth(int beamWidth, int catalog, int items) {
        long sessions = 1;
        for (int i = 0; i < items && sessions < beamWidth; i++) sessions *= Math.max(1, catalog);
        return (int) Math.min(beamWidth, sessions);
    }

    public List<List<GeneratedSession>> search(StepDecoder decoder, List<UserHistory> users, DecodingOptions gen) {
        return search(decoder, users, gen, null);
    }

    /**
     * {@link #search(StepDecoder, List, DecodingOptions)} with one more filter per user on top of the request's
     * (e.g. each user's Think-Ahead prefixes): users with different restrictions still share one batched search.
     *
     * @param userFilters one filter per user, in user order; null for none
     */
    public List<List<GeneratedSession>> search(StepDecoder decoder, List<UserHistory> users, DecodingOptions gen, List<ItemFilter> userFilters) {
        Objects.requireNonNull(users, "users must not be null");
        if (userFilters != null && userFilters.size() != users.size()) {
            throw new IllegalArgumentException(userFilters.size() + " user filters for " + users.size() + " users");
        }
        Objects.requireNonNull(gen, "decoding options must not be null");
        for (int i = 0; i < users.size(); i++) {
            if (users.get(i) == null) throw new IllegalArgumentException("user " + i + " of the batch is null");
        }
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
        if (gen.restricted()) {
            int prefixLength = gen.allowedPrefixes().iterator().next().length();
            if (prefixLength > config.codeLevels()) {
                throw new IllegalArgumentException("allowed prefixes of length " + prefixLength + " exceed the SID length " + config.codeLevels());
            }
        }
        int b = effectiveBeamWidth(gen.beamWidth(), codec.itemCount(), gen.itemsPerSession());
        long slots = (long) users.size() * b;
        if (slots > MAX_BEAM_SLOTS) {
            throw new IllegalArgumentException(users.size() + " users x beam width " + b + " = " + slots + " beam slots, more than "
                    + MAX_BEAM_SLOTS + " in one search; decode fewer users per call");
        }
        int u = users.size(), n = (int) slots, levels = config.codeLevels(), m = gen.itemsPerSession();
        State st = new State(n, m);
        State next = new State(n, m); // double-buffered: no per-step allocation
        for (int s = 0; s < n; s++) {
            st.score[s] = s % b == 0 ? 0.0 : Double.NEGATIVE_INFINITY;
            st.logProb[s] = st.score[s];
        }
        // One mask per user: the request's filter (compiled once, shared, so its lazy answers are reused across
        // users), and the user's own history when it is excluded.
        TrieMask requestMask = gen.requestFilter().mask(trie);
        TrieMask[] mask = new TrieMask[u];
        for (int i = 0; i < u; i++) {
            ItemFilter own = userFilters == null ? ItemFilter.none() : Objects.requireNonNull(userFilters.get(i), "filter of user " + i);
            TrieMask userMask = own == ItemFilter.none() ? requestMask : TrieMasks.and(trie, requestMask, own.mask(trie));
            mask[i] = gen.excludeHistory()
                    ? TrieMasks.and(trie, userMask, TrieMasks.blocked(trie, users.get(i).items()))
                    : userMask;
        }
        // Shallow fusion of an item prior: its evidence per user, asked once, and its mass per trie node.
        PriorMasses prior = null;
        ItemPrior.Evidence[] evidence = null;
        boolean normalized = gen.fused() && gen.fusion().normalized();
        boolean ownItemHead = gen.fused() && gen.fusion().prior() == ItemHead.OWN;
        double[] bonus = null; // the prior's score of each child of the node being expanded
        if (gen.fused()) {
            prior = new PriorMasses(trie, gen.fusion(), backgroundMasses(gen.fusion().prior()));
            int widest = 0;
            for (int l = 0; l < config.codeLevels(); l++) widest = Math.max(widest, config.codebookSize(l));
            bonus = new double[widest];
            evidence = new ItemPrior.Evidence[u];
            // The generator's own item head is read from the decoder once its session has encoded the users (below).
            if (!ownItemHead) for (int i = 0; i < u; i++) evidence[i] = prior.evidenceFor(users.get(i));
        }
        Candidates cand = new Candidates();
        // Trie softmax: each live slot's codes are its prefix node's trie children (all of them: filters and
        // exclusions act on top and do not change the normaliser), as CSR lists; dead slots list none.
        boolean trieSoftmax = gen.codeSoftmax() == DecodingOptions.CodeSoftmax.TRIE;
        int[] listOffsets = trieSoftmax ? new int[n + 1] : null;
        int[] listCodes = new int[0];
        try (StepDecoder.Session session = decoder.start(users, b)) {
            if (ownItemHead && u > 0) {
                float[] logits = session.itemLogits();
                if (logits.length % u != 0) throw new IllegalStateException(logits.length + " item-head logits for " + u + " users");
                int v = logits.length / u;
                for (int i = 0; i < u; i++) {
                    evidence[i] = ItemHead.evidence(logits, i * v, v, users.get(i).items(), gen.excludeHistory(), ItemHead.TOP_K);
                }
            }
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
                }
                for (int level = 0; level < levels; level++) {
                    float[] logp;
                    if (trieSoftmax) {
                        int total = 0;
                        for (int s = 0; s < n; s++) {
                            listOffsets[s] = total;
                            if (st.score[s] != Double.NEGATIVE_INFINITY) total += trie.childCount(st.node[s]);
                        }
                        listOffsets[n] = total;
                        if (listCodes.length < total) listCodes = new int[Math.max(total, 2 * listCodes.length)];
                        for (int s = 0; s < n; s++) {
                            int node = st.node[s];
                            for (int c = 0, o = listOffsets[s], cc = listOffsets[s + 1] - o; c < cc; c++) listCodes[o + c] = trie.childCode(node, c);
                        }
                        logp = session.stepSparse(tokens, parents, level, listOffsets, listCodes);
                        if (logp.length < total) {
                            throw new IllegalStateException("the decoder returned " + logp.length + " log-probabilities for " + total + " listed codes");
                        }
                        requireNoNaN(logp, total, level);
                    } else {
                        logp = session.step(tokens, parents, level);
                        requireNoNaN(logp, logp.length, level);
                    }
                    int k = config.codebookSize(level);
                    boolean last = level == levels - 1;
                    for (int user = 0; user < u; user++) {
                        cand.clear(b);
                        TrieMask allowed = mask[user];
                        if (prior != null) prior.load(evidence[user]);
                        for (int p = user * b; p < (user + 1) * b; p++) {
                            if (st.score[p] == Double.NEGATIVE_INFINITY) continue;
                            int node = st.node[p];
                            double norm = 0;
                            if (prior != null) {
                                prior.childBonuses(node, bonus);
                                // Product of experts: normalise generator x prior over the node's children (all
                                // of them, filtered or not, as in training), so the score stays a log-probability.
                                if (normalized) {
                                    norm = trieSoftmax ? logSumExpFusedSparse(logp, listOffsets[p], node, bonus)
                                            : logSumExpFused(logp, p * k, node, bonus);
                                }
                            }
                            for (int c = 0, cc = trie.childCount(node); c < cc; c++) {
                                int childNode = trie.childNode(node, c);
                                // Skips whole subtrees without an allowed item, so no beam slot is spent on them.
                                if (allowed != TrieMask.ALL && !allowed.allows(childNode)) continue;
                                if (last && contains(st.items[p], slot, trie.itemAt(childNode))) continue;
                                int code = trie.childCode(node, c);
                                // Dense: the slot's codebook row; sparse: the slot's list holds the children in order.
                                float codeLogp = trieSoftmax ? logp[listOffsets[p] + c] : logp[p * k + code];
                                double logProb = st.logProb[p] + codeLogp;
                                double score = prior == null ? logProb : st.score[p] + codeLogp + bonus[c] - norm;
                                cand.add(score, logProb, p, code, childNode);
                            }
                        }
                        int kept = cand.selectTop();
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
                            next.score[s] = cand.score(c);
                            next.logProb[s] = cand.logProb[c];
                            next.node[s] = cand.node[c];
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
                    // Ordered by the search score (fused, when a prior is); the session carries the generator's log-probability.
                    sessions.add(new GeneratedSession(Arrays.copyOf(st.items[s], m), st.logProb[s]));
                }
            }
            out.add(sessions);
        }
        return out;
    }

    /**
     * Finite weights can still overflow (a corrupted but finite 3e38 in a matrix): fail loudly rather than rank
     * items by NaN scores. One compare per log-probability, against a decoder step that costs a GEMM.
     */
    private static void requireNoNaN(float[] logp, int length, int level) {
        for (int i = 0; i < length; i++) {
            if (logp[i] != logp[i]) {
                throw new IllegalStateException("the model produced NaN log-probabilities at code level " + level
                        + " (weights so large that the computation overflows?)");
            }
        }
    }

    /** log sum over the node's trie children c of exp(log p_generator(c) + bonus[c]). */
    private double logSumExpFused(float[] logp, int row, int node, double[] bonus) {
        int cc = trie.childCount(node);
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < cc; c++) max = Math.max(max, logp[row + trie.childCode(node, c)] + bonus[c]);
        if (max == Double.NEGATIVE_INFINITY) return 0;
        double sum = 0;
        for (int c = 0; c < cc; c++) sum += Math.exp(logp[row + trie.childCode(node, c)] + bonus[c] - max);
        return max + Math.log(sum);
    }

    /** {@link #logSumExpFused} over a slot's sparse list, which holds the node's children in child order from {@code from}. */
    private double logSumExpFusedSparse(float[] logp, int from, int node, double[] bonus) {
        int cc = trie.childCount(node);
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < cc; c++) max = Math.max(max, logp[from + c] + bonus[c]);
        if (max == Double.NEGATIVE_INFINITY) return 0;
        double sum = 0;
        for (int c = 0; c < cc; c++) sum += Math.exp(logp[from + c] + bonus[c] - max);
        return max + Math.log(sum);
    }

    private static boolean contains(int[] items, int count, int item) {
        for (int i = 0; i < count; i++) if (items[i] == item) return true;
        return false;
    }

    /** Per-slot beam state. */
    private static final class State {
        /** What the search ranks by: the log-probability, plus the prior's weighted log-mass when one is fused. */
        final double[] score;
        /** The generator's own log-probability. */
        final double[] logProb;
        final int[] node;
        final int[][] items;

        State(int n, int m) {
            score = new double[n];
            logProb = new double[n];
            node = new int[n];
            items = new int[n][m];
        }
    }

    /**
     * The best {@code b} expansions of one user's beams by (score desc, insertion order), kept in a bounded heap so
     * that the many candidates below the current b-th best are rejected with one comparison and never stored:
     * selection costs O(n) comparisons plus O(k log b) for the k that enter, instead of sorting all n = beams x K.
     */
    private static final class Candidates {
        private double[] score = new double[0];
        private int[] seq = new int[0];
        double[] logProb = new double[0];
        int[] parent = new int[0], code = new int[0], node = new int[0];
        /** Heap of slot indices, worst candidate at the root. */
        private int[] heap = new int[0];
        /** Slots in best-first order after {@link #selectTop()}. */
        int[] order = new int[0];
        private int capacity, size, added;

        void clear(int b) {
            if (heap.length < b) {
                score = new double[b];
                logProb = new double[b];
                seq = new int[b];
                parent = new int[b];
                code = new int[b];
                node = new int[b];
                heap = new int[b];
                order = new int[b];
            }
            capacity = b;
            size = 0;
            added = 0;
        }

        /** Whether candidate (sa, qa) ranks below (sb, qb): lower score, or equal score and added later. */
        private boolean worse(double sa, int qa, double sb, int qb) {
            return sa < sb || (sa == sb && qa > qb);
        }

        void add(double sc, double lp, int p, int c, int nd) {
            int q = added++;
            boolean filling = size < capacity;
            int slot;
            if (filling) {
                slot = size;
            } else {
                slot = heap[0];
                if (!worse(score[slot], seq[slot], sc, q)) return; // not better than the current b-th best
            }
            score[slot] = sc;
            logProb[slot] = lp;
            seq[slot] = q;
            parent[slot] = p;
            code[slot] = c;
            node[slot] = nd;
            if (filling) {
                siftUp(size++, slot);
            } else {
                siftDown(0, slot);
            }
        }

        private void siftUp(int pos, int slot) {
            while (pos > 0) {
                int parentPos = (pos - 1) >>> 1;
                int ps = heap[parentPos];
                if (!worse(score[slot], seq[slot], score[ps], seq[ps])) break;
                heap[pos] = ps;
                pos = parentPos;
            }
            heap[pos] = slot;
        }

        private void siftDown(int pos, int slot) {
            while (true) {
                int l = 2 * pos + 1;
                if (l >= size) break;
                int r = l + 1;
                int w = heap[l];
                if (r < size && worse(score[heap[r]], seq[heap[r]], score[w], seq[w])) {
                    l = r;
                    w = heap[r];
                }
                if (!worse(score[w], seq[w], score[slot], seq[slot])) break;
                heap[pos] = w;
                pos = l;
            }
            heap[pos] = slot;
        }

        /** Orders the kept candidates best first into {@link #order}; returns how many there are. */
        int selectTop() {
            for (int i = 0; i < size; i++) order[i] = i;
            // Insertion sort: at most b elements, b is small.
            for (int i = 1; i < size; i++) {
                int x = order[i], j = i - 1;
                while (j >= 0 && worse(score[order[j]], seq[order[j]], score[x], seq[x])) {
                    order[j + 1] = order[j];
                    j--;
                }
                order[j + 1] = x;
            }
            return size;
        }

        double score(int slot) {
            return score[slot];
        }
    }
}

package io.onerec.api.generator;

import io.onerec.api.ItemPrior;
import io.onerec.api.PriorFusion;
import io.onerec.api.UserHistory;
import io.onerec.api.sid.PrefixTrie;

/**
 * The fused prior's probability mass of every trie node (the sum over the items below it), for one user at a time,
 * as {@link PriorFusion} defines it. The background part is the same for every user and computed once per trie;
 * the evidence part is sparse, so loading a user touches only the ancestors of its evidence items and the next load
 * clears just those.
 *
 * <p>The search uses it to fuse a prior into decoding; a trainer uses {@link #conditionalLogMasses} to fuse the same
 * prior into the training loss.
 *
 * <p>Not thread-safe: one instance per search or training step. The background array may be shared (it is never
 * written after construction).
 */
public final class PriorMasses {
    private final PrefixTrie trie;
    private final ItemPrior prior;
    private final double weight, share;
    /** Background mass per node, normalised so that the root holds 1. */
    private final double[] background;
    /** The loaded user's evidence mass per node, normalised so that the root holds 1 (when it has any). */
    private final double[] evidence;
    private final int[] touched;
    private int touchedCount;
    private boolean hasEvidence;

    /** For one trie and one fusion; computes the background masses (O(items x depth)). */
    public PriorMasses(PrefixTrie trie, PriorFusion fusion) {
        this(trie, fusion, background(trie, fusion.prior()));
    }

    PriorMasses(PrefixTrie trie, PriorFusion fusion, double[] background) {
        this.trie = trie;
        this.prior = fusion.prior();
        this.weight = fusion.weight();
        this.share = fusion.backgroundShare();
        this.background = background;
        this.evidence = new double[trie.nodeCount()];
        this.touched = new int[trie.nodeCount()];
    }

    /** The background mass of every node of the trie, normalised to 1 at the root. */
    static double[] background(PrefixTrie trie, ItemPrior prior) {
        double[] mass = new double[trie.nodeCount()];
        for (int node = 0; node < mass.length; node++) {
            int item = trie.itemAt(node);
            if (item < 0) continue;
            double w = prior.background(item);
            if (!(w > 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("prior background weight of item " + item + " is " + w + ", not finite and positive");
            }
            for (int n = node; n >= 0; n = trie.parent(n)) mass[n] += w;
        }
        double total = mass[trie.root()];
        if (total > 0) for (int n = 0; n < mass.length; n++) mass[n] /= total;
        return mass;
    }

    /** Loads one user's evidence; items outside the trie (retired, filtered out of the catalog) carry no mass. */
    public void load(ItemPrior.Evidence ev) {
        for (int i = 0; i < touchedCount; i++) evidence[touched[i]] = 0;
        touchedCount = 0;
        double total = 0;
        for (int i = 0; i < ev.size(); i++) {
            int leaf = trie.leafOf(ev.item(i));
            double w = ev.weight(i);
            if (leaf < 0 || w == 0) continue;
            total += w;
            for (int n = leaf; n >= 0; n = trie.parent(n)) {
                if (evidence[n] == 0) touched[touchedCount++] = n;
                evidence[n] += w;
            }
        }
        hasEvidence = total > 0;
        if (hasEvidence) for (int i = 0; i < touchedCount; i++) evidence[touched[i]] /= total;
    }

    ItemPrior.Evidence evidenceFor(UserHistory history) {
        ItemPrior.Evidence ev = prior.evidence(history);
        if (ev == null) throw new IllegalStateException("item prior " + prior + " returned null evidence for user " + history.userId());
        return ev;
    }

    /** Log of the prior's mass below {@code node} for the loaded user. */
    double logMass(int node) {
        double m = hasEvidence ? share * background[node] + (1 - share) * evidence[node] : background[node];
        return Math.log(m);
    }

    /**
     * {@code weight * log q(code | prefix)} for every code of the level below {@code node}, written to
     * {@code out[offset, offset + codebookSize)}: the log of each child's share of the node's mass, and negative
     * infinity for codes no catalog item continues the prefix with.
     */
    public void conditionalLogMasses(int node, float[] out, int offset, int codebookSize) {
        java.util.Arrays.fill(out, offset, offset + codebookSize, Float.NEGATIVE_INFINITY);
        double[] bonus = new double[trie.childCount(node)];
        childBonuses(node, bonus);
        for (int c = 0; c < bonus.length; c++) {
            int code = trie.childCode(node, c);
            if (code >= codebookSize) throw new IllegalArgumentException("trie code " + code + " outside the codebook of " + codebookSize);
            out[offset + code] = (float) bonus[c];
        }
    }

    /**
     * What choosing each child of {@code node} adds to the search score, {@code weight * log q(child | node)}, into
     * {@code out[i]} for the node's i-th child.
     */
    void childBonuses(int node, double[] out) {
        double parent = logMass(node);
        for (int c = 0, cc = trie.childCount(node); c < cc; c++) out[c] = weight * (logMass(trie.childNode(node, c)) - parent);
    }
}

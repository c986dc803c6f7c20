package io.onerec.api.sid;

import io.onerec.api.SemanticId;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * Array-based trie over the SIDs of a catalog; drives constrained decoding. Every SID has the same length
 * (the trie's depth). Node 0 is the root; the children of a node are stored contiguously, sorted by code, so
 * "which codes may follow this prefix" is one slice and finding a child is a binary search. Leaves
 * (depth == {@link #depth()}) carry the item index.
 *
 * <p>Each node also knows its parent and how many leaves its subtree holds, and each item its leaf, so a request's
 * filter can mark whole subtrees as allowed or not by walking up from a few leaves ({@link TrieMasks}) instead of
 * touching every item.
 *
 * <p>Immutable and thread-safe. Memory: six int arrays of about (number of nodes) entries, one of (items).
 */
public final class PrefixTrie {
    /** First child slot of each node, into {@link #childCodes}/{@link #childNodes}; length nodes+1. */
    private final int[] firstChild;
    private final int[] childCodes;
    private final int[] childNodes;
    /** Item at each leaf node, -1 for inner nodes. */
    private final int[] leafItem;
    private final int[] nodeDepth;
    /** Parent of each node, -1 for the root. */
    private final int[] parent;
    /** Number of leaves (items) under each node. */
    private final int[] leafCount;
    /** Leaf node of each item index, -1 for items not in the trie. */
    private final int[] itemLeaf;
    private final int depth;

    private PrefixTrie(int[] firstChild, int[] childCodes, int[] childNodes, int[] leafItem, int[] nodeDepth, int depth,
                       int items) {
        this.firstChild = firstChild;
        this.childCodes = childCodes;
        this.childNodes = childNodes;
        this.leafItem = leafItem;
        this.nodeDepth = nodeDepth;
        this.depth = depth;
        int nodes = leafItem.length;
        this.parent = new int[nodes];
        this.leafCount = new int[nodes];
        this.itemLeaf = new int[items];
        Arrays.fill(parent, -1);
        Arrays.fill(itemLeaf, -1);
        for (int n = 0; n < nodes; n++) {
            for (int s = firstChild[n]; s < firstChild[n + 1]; s++) parent[childNodes[s]] = n;
        }
        // Breadth-first numbering: every child has a larger id than its parent, so one backward pass sums subtrees.
        for (int n = nodes - 1; n >= 0; n--) {
            if (leafItem[n] >= 0) {
                leafCount[n] = 1;
                itemLeaf[leafItem[n]] = n;
            }
            if (n > 0) leafCount[parent[n]] += leafCount[n];
        }
    }

    /**
     * Builds the trie from each item's full SID ({@code sids[item]}); all SIDs must have the same length and be
     * unique.
     */
    public static PrefixTrie build(SemanticId[] sids) {
        if (sids.length == 0) {
            throw new IllegalArgumentException("cannot build a trie over zero items");
        }
        return build(sids, item -> true);
    }

    /**
     * Builds the trie over the items for which {@code included} holds; the others (e.g. retired catalog items)
     * keep their index but cannot be reached. Included SIDs must be unique; an excluded item's SID is not checked
     * and may be null. The trie may be empty (a root without children) when no item is included.
     */
    public static PrefixTrie build(SemanticId[] sids, IntPredicate included) {
        int depth = -1;
        int count = 0;
        for (int i = 0; i < sids.length; i++) {
            if (!included.test(i)) continue;
            if (sids[i] == null) {
                throw new IllegalArgumentException("item " + i + " has no SID");
            }
            if (depth < 0) depth = sids[i].length();
            if (sids[i].length() != depth) {
                throw new IllegalArgumentException("item " + i + " has SID length " + sids[i].length() + ", expected " + depth);
            }
            count++;
        }
        if (depth < 0) {
            for (SemanticId sid : sids) {
                if (sid != null) {
                    depth = sid.length();
                    break;
                }
            }
            if (depth < 0) throw new IllegalArgumentException("cannot build a trie without any SID to take its depth from");
        }
        Integer[] order = new Integer[count];
        for (int i = 0, o = 0; i < sids.length; i++) {
            if (included.test(i)) order[o++] = i;
        }
        Arrays.sort(order, (a, b) -> sids[a].compareTo(sids[b]));
        for (int i = 1; i < order.length; i++) {
            if (sids[order[i]].equals(sids[order[i - 1]])) {
                throw new IllegalArgumentException("items " + order[i - 1] + " and " + order[i] + " share SID " + sids[order[i]]
                        + "; disambiguate collisions before building the trie");
            }
        }
        // Breadth-first construction over the sorted SIDs: a node is a run [lo, hi) of sorted items sharing a prefix.
        int maxNodes = 1 + count * depth;
        int[] lo = new int[maxNodes], hi = new int[maxNodes], dep = new int[maxNodes];
        int[] first = new int[maxNodes + 1];
        int[] codes = new int[maxNodes], kids = new int[maxNodes];
        int nodes = 1, slots = 0;
        lo[0] = 0;
        hi[0] = count;
        for (int n = 0; n < nodes; n++) {
            first[n] = slots;
            int d = dep[n];
            if (d == depth) {
                continue;
            }
            int i = lo[n];
            while (i < hi[n]) {
                int code = sids[order[i]].code(d);
                int j = i + 1;
                while (j < hi[n] && sids[order[j]].code(d) == code) j++;
                codes[slots] = code;
                kids[slots] = nodes;
                slots++;
                lo[nodes] = i;
                hi[nodes] = j;
                dep[nodes] = d + 1;
                nodes++;
                i = j;
            }
        }
        first[nodes] = slots;
        int[] leaf = new int[nodes];
        Arrays.fill(leaf, -1);
        for (int n = 0; n < nodes; n++) {
            if (dep[n] == depth) {
                leaf[n] = order[lo[n]];
            }
        }
        return new PrefixTrie(Arrays.copyOf(first, nodes + 1), Arrays.copyOf(codes, slots), Arrays.copyOf(kids, slots),
                leaf, Arrays.copyOf(dep, nodes), depth, sids.length);
    }

    public int root() {
        return 0;
    }

    /** Length of every full SID in the trie. */
    public int depth() {
        return depth;
    }

    public int nodeCount() {
        return leafItem.length;
    }

    /** Depth of a node: 0 for the root, {@link #depth()} for leaves. */
    public int depthOf(int node) {
        return nodeDepth[node];
    }

    public int childCount(int node) {
        return firstChild[node + 1] - firstChild[node];
    }

    /** The i-th allowed next code after this node, ascending in i. */
    public int childCode(int node, int i) {
        return childCodes[firstChild[node] + i];
    }

    public int childNode(int node, int i) {
        return childNodes[firstChild[node] + i];
    }

    /** The child reached by {@code code}, or -1 when no SID continues the prefix with it. */
    public int child(int node, int code) {
        int from = firstChild[node], to = firstChild[node + 1];
        int k = Arrays.binarySearch(childCodes, from, to, code);
        return k >= 0 ? childNodes[k] : -1;
    }

    /** Item at a leaf, -1 at an inner node. */
    public int itemAt(int node) {
        return leafItem[node];
    }

    /** Parent of a node, -1 for the root. */
    public int parent(int node) {
        return parent[node];
    }

    /** Number of items (leaves) in the subtree of a node; the root's is the number of items in the trie. */
    public int leafCount(int node) {
        return leafCount[node];
    }

    /** Number of items in the trie. */
    public int size() {
        return leafCount[0];
    }

    /** The leaf node of an item, or -1 when the item is not in the trie (unknown, negative, or left out). */
    public int leafOf(int item) {
        return item >= 0 && item < itemLeaf.length ? itemLeaf[item] : -1;
    }

    /** Node reached by a prefix, or -1 when it is not a valid prefix. */
    public int find(SemanticId prefix) {
        if (prefix.length() > depth) {
            return -1;
        }
        int node = 0;
        for (int l = 0; l < prefix.length() && node >= 0; l++) {
            node = child(node, prefix.code(l));
        }
        return node;
    }

    public boolean contains(SemanticId prefix) {
        return find(prefix) >= 0;
    }

    /** All valid prefixes of the given length, in code order. */
    public Set<SemanticId> prefixes(int length) {
        if (length < 1 || length > depth) {
            throw new IllegalArgumentException("prefix length " + length + " outside [1, " + depth + "]");
        }
        Set<SemanticId> out = new LinkedHashSet<>();
        collect(0, new int[length], 0, out);
        return out;
    }

    private void collect(int node, int[] path, int d, Set<SemanticId> out) {
        if (d == path.length) {
            out.add(SemanticId.of(path));
            return;
        }
        for (int i = 0, n = childCount(node); i < n; i++) {
            path[d] = childCode(node, i);
            collect(childNode(node, i), path, d + 1, out);
        }
    }
}

package io.onerec.api.sid;

import io.onerec.api.SemanticId;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * Builds {@link TrieMask}s for one request without touching the whole catalog: an item list costs O(items x depth)
 * (each listed item walks from its leaf to the root, counting per node), a prefix set O(prefixes x depth), and an
 * arbitrary item predicate is answered lazily, only for the nodes the search visits, by a depth-first look for one
 * allowed leaf that stops at the first one found and memoises every answer.
 */
public final class TrieMasks {
    private TrieMasks() {
    }

    /** Every item except the listed ones; items not in the trie are ignored. */
    public static TrieMask blocked(PrefixTrie trie, int[] items) {
        IntIntMap blockedLeaves = countLeaves(trie, items);
        if (blockedLeaves.size() == 0) return TrieMask.ALL;
        return node -> blockedLeaves.get(node, 0) < trie.leafCount(node);
    }

    /** Only the listed items; items not in the trie are ignored. */
    public static TrieMask allowedItems(PrefixTrie trie, int[] items) {
        IntIntMap allowedLeaves = countLeaves(trie, items);
        return node -> allowedLeaves.get(node, 0) > 0;
    }

    /** Per node, how many of the distinct listed items lie below it; only nodes on their paths get an entry. */
    private static IntIntMap countLeaves(PrefixTrie trie, int[] items) {
        int[] distinct = items.clone();
        Arrays.sort(distinct);
        IntIntMap counts = new IntIntMap(Math.min(distinct.length, 1 << 16) * (trie.depth() + 1));
        for (int i = 0; i < distinct.length; i++) {
            if (i > 0 && distinct[i] == distinct[i - 1]) continue;
            for (int node = trie.leafOf(distinct[i]); node >= 0; node = trie.parent(node)) counts.add(node, 1);
        }
        return counts;
    }

    /**
     * Only items whose SID starts with one of the prefixes (lengths 1 to the trie's depth, possibly mixed); prefixes
     * that no item has are ignored.
     *
     * @throws IllegalArgumentException for a prefix longer than the trie's SIDs
     */
    public static TrieMask prefixes(PrefixTrie trie, Collection<SemanticId> prefixes) {
        IntIntMap roots = new IntIntMap(prefixes.size()); // nodes of the allowed prefixes
        IntIntMap above = new IntIntMap(prefixes.size() * trie.depth()); // their strict ancestors
        for (SemanticId p : prefixes) {
            if (p.length() > trie.depth()) {
                throw new IllegalArgumentException("allowed prefix " + p + " is longer than the SIDs (" + trie.depth() + " codes)");
            }
            int node = trie.find(p);
            if (node < 0) continue;
            roots.put(node, 1);
            for (int a = trie.parent(node); a >= 0 && above.get(a, 0) == 0; a = trie.parent(a)) above.put(a, 1);
        }
        if (roots.size() == 0) return node -> false;
        return node -> {
            if (above.get(node, 0) != 0) return true;
            for (int a = node; a >= 0; a = trie.parent(a)) {
                if (roots.get(a, 0) != 0) return true;
            }
            return false;
        };
    }

    /** Only items for which {@code allowed} holds; evaluated lazily, for leaves under the nodes a search asks about. */
    public static TrieMask itemPredicate(PrefixTrie trie, IntPredicate allowed) {
        return new Conjunction(trie, List.of(), List.of(allowed));
    }

    /**
     * Items allowed by every mask. Exact: a node is allowed only when one item below it is allowed by all masks at
     * once (two masks may each allow a subtree through different items), found by a lazy memoised search.
     */
    public static TrieMask and(PrefixTrie trie, TrieMask... masks) {
        List<TrieMask> parts = new ArrayList<>();
        for (TrieMask m : masks) if (m != TrieMask.ALL) parts.add(m);
        if (parts.isEmpty()) return TrieMask.ALL;
        if (parts.size() == 1) return parts.getFirst();
        return new Conjunction(trie, parts, List.of());
    }

    /** Items allowed by every mask and every item test (predicates over item indices, checked at leaves only). */
    public static TrieMask and(PrefixTrie trie, List<TrieMask> masks, List<IntPredicate> itemTests) {
        if (itemTests.isEmpty()) return and(trie, masks.toArray(TrieMask[]::new));
        List<TrieMask> parts = new ArrayList<>();
        for (TrieMask m : masks) if (m != TrieMask.ALL) parts.add(m);
        return new Conjunction(trie, parts, itemTests);
    }

    /** Items allowed by every exact part and every item test, answered by a memoised search for one such leaf. */
    static final class Conjunction implements TrieMask {
        private static final int ALLOWED = 1, BLOCKED = 2;
        private final PrefixTrie trie;
        private final TrieMask[] parts;
        private final IntPredicate[] itemTests;
        private final IntIntMap memo = new IntIntMap(64);

        Conjunction(PrefixTrie trie, List<TrieMask> parts, List<IntPredicate> itemTests) {
            this.trie = trie;
            this.parts = parts.toArray(TrieMask[]::new);
            this.itemTests = itemTests.toArray(IntPredicate[]::new);
        }

        @Override
        public boolean allows(int node) {
            int known = memo.get(node, 0);
            if (known != 0) return known == ALLOWED;
            boolean ok = search(node);
            memo.put(node, ok ? ALLOWED : BLOCKED);
            return ok;
        }

        private boolean search(int node) {
            for (TrieMask p : parts) if (!p.allows(node)) return false;
            int item = trie.itemAt(node);
            if (item >= 0) {
                for (IntPredicate t : itemTests) if (!t.test(item)) return false;
                return true;
            }
            for (int i = 0, n = trie.childCount(node); i < n; i++) {
                if (allows(trie.childNode(node, i))) return true;
            }
            return false;
        }
    }
}

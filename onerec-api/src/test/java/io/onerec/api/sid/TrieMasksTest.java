package io.onerec.api.sid;

import io.onerec.api.ItemFilter;
import io.onerec.api.SemanticId;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every mask answer is compared with brute force over the items below each node. */
public class TrieMasksTest {
    private static final int[] SIZES = {4, 5, 3};

    /** A random catalog of distinct SIDs; some item indices (about a fifth) are left out of the trie. */
    public static SemanticId[] randomSids(Random rnd, int items) {
        Set<SemanticId> seen = new HashSet<>();
        SemanticId[] sids = new SemanticId[items];
        for (int i = 0; i < items; i++) {
            SemanticId s;
            do {
                s = SemanticId.of(rnd.nextInt(SIZES[0]), rnd.nextInt(SIZES[1]), rnd.nextInt(SIZES[2]));
            } while (!seen.add(s));
            sids[i] = s;
        }
        return sids;
    }

    public static ItemFilter randomFilter(Random rnd, int items) {
        List<ItemFilter> parts = new ArrayList<>();
        int kinds = 1 + rnd.nextInt(3);
        for (int k = 0; k < kinds; k++) {
            switch (rnd.nextInt(4)) {
                case 0 -> parts.add(ItemFilter.blocklist(rnd.ints(rnd.nextInt(items), 0, items + 5).toArray()));
                case 1 -> parts.add(ItemFilter.allowlist(rnd.ints(1 + rnd.nextInt(items), 0, items).toArray()));
                case 2 -> {
                    int mod = 2 + rnd.nextInt(4), rest = rnd.nextInt(mod);
                    parts.add(ItemFilter.predicate(i -> i % mod != rest));
                }
                default -> {
                    Set<SemanticId> prefixes = new HashSet<>();
                    for (int p = 0, n = 1 + rnd.nextInt(4); p < n; p++) {
                        int len = 1 + rnd.nextInt(3);
                        int[] codes = new int[len];
                        for (int l = 0; l < len; l++) codes[l] = rnd.nextInt(SIZES[l]);
                        prefixes.add(SemanticId.of(codes));
                    }
                    parts.add(ItemFilter.allowedPrefixes(prefixes));
                }
            }
        }
        return ItemFilter.allOf(parts.toArray(ItemFilter[]::new));
    }

    private static boolean bruteForce(PrefixTrie trie, int node, SemanticId[] sids, ItemFilter f) {
        int item = trie.itemAt(node);
        if (item >= 0) return f.allows(item, sids[item]);
        for (int i = 0; i < trie.childCount(node); i++) {
            if (bruteForce(trie, trie.childNode(node, i), sids, f)) return true;
        }
        return false;
    }

    @Test
    void masksAreExactForRandomFiltersAndTheirCombinations() {
        Random rnd = new Random(11);
        int blockedSomewhere = 0;
        for (int round = 0; round < 300; round++) {
            int items = 1 + rnd.nextInt(40);
            SemanticId[] sids = randomSids(rnd, items);
            boolean[] in = new boolean[items];
            for (int i = 0; i < items; i++) in[i] = rnd.nextInt(5) > 0;
            PrefixTrie trie = PrefixTrie.build(sids, i -> in[i]);
            ItemFilter f = randomFilter(rnd, items);
            TrieMask mask = f.mask(trie);
            // Ask in a random order, so memoised answers from earlier questions are exercised too.
            List<Integer> nodes = new ArrayList<>();
            for (int n = 0; n < trie.nodeCount(); n++) nodes.add(n);
            java.util.Collections.shuffle(nodes, rnd);
            for (int n : nodes) {
                boolean expected = bruteForce(trie, n, sids, f);
                assertEquals(expected, mask.allows(n), "round " + round + ", node " + n + ", filter " + f);
                if (!expected) blockedSomewhere++;
            }
        }
        assertTrue(blockedSomewhere > 100, "the random filters rarely blocked anything: " + blockedSomewhere);
    }

    @Test
    void conjunctionIsExactWhereEachPartAloneAllowsTheSubtree() {
        // The prefix allows only items 0 and 1, the blocklist only item 2: each alone allows the root, together nothing.
        SemanticId[] sids = {SemanticId.of(0, 0, 0), SemanticId.of(0, 1, 0), SemanticId.of(1, 0, 0)};
        PrefixTrie trie = PrefixTrie.build(sids);
        ItemFilter prefix = ItemFilter.allowedPrefixes(Set.of(SemanticId.of(0)));
        ItemFilter block = ItemFilter.blocklist(0, 1);
        assertTrue(prefix.mask(trie).allows(trie.root()));
        assertTrue(block.mask(trie).allows(trie.root()));
        assertFalse(prefix.and(block).mask(trie).allows(trie.root()), "no item passes both");
    }

    @Test
    void allowedCodesIsThePerNodeChildMask() {
        SemanticId[] sids = {SemanticId.of(0, 0, 0), SemanticId.of(2, 1, 0), SemanticId.of(2, 1, 2), SemanticId.of(3, 4, 1)};
        PrefixTrie trie = PrefixTrie.build(sids);
        boolean[] out = new boolean[4];
        ItemFilter.blocklist(0, 1, 2).mask(trie).allowedCodes(trie, trie.root(), out);
        assertEquals(List.of(false, false, false, true), List.of(out[0], out[1], out[2], out[3]));
        boolean[] level3 = new boolean[3];
        ItemFilter.blocklist(2).mask(trie).allowedCodes(trie, trie.find(SemanticId.of(2, 1)), level3);
        assertEquals(List.of(true, false, false), List.of(level3[0], level3[1], level3[2]));
    }

    @Test
    void rejectsBadFilters() {
        PrefixTrie trie = PrefixTrie.build(new SemanticId[]{SemanticId.of(0, 0)});
        assertThrows(IllegalArgumentException.class, () -> ItemFilter.blocklist(3, -1));
        assertThrows(IllegalArgumentException.class, () -> ItemFilter.allowedPrefixes(Set.of()));
        assertThrows(IllegalArgumentException.class,
                () -> ItemFilter.allowedPrefixes(Set.of(SemanticId.of(0, 0, 0))).mask(trie));
    }

    @Test
    void trieCountsParentsAndLeavesWithItemsLeftOut() {
        SemanticId[] sids = {SemanticId.of(0, 1), SemanticId.of(0, 2), SemanticId.of(1, 0), null, SemanticId.of(0, 1)};
        // Item 4 duplicates item 0's SID and item 3 has none: both left out, so the trie is still valid.
        PrefixTrie trie = PrefixTrie.build(sids, i -> i < 3);
        assertEquals(3, trie.size());
        assertEquals(2, trie.leafCount(trie.find(SemanticId.of(0))));
        assertEquals(-1, trie.leafOf(3));
        assertEquals(-1, trie.leafOf(4));
        assertEquals(-1, trie.leafOf(99));
        for (int item = 0; item < 3; item++) {
            int leaf = trie.leafOf(item);
            assertEquals(item, trie.itemAt(leaf));
            assertEquals(trie.find(sids[item].prefix(1)), trie.parent(leaf));
            assertEquals(trie.root(), trie.parent(trie.parent(leaf)));
        }
        assertEquals(-1, trie.parent(trie.root()));
        PrefixTrie empty = PrefixTrie.build(sids, i -> false);
        assertEquals(0, empty.size());
        assertEquals(0, empty.childCount(empty.root()));
        assertEquals(2, empty.depth());
    }
}

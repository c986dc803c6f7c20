package io.onerec.api.sid;

import io.onerec.api.SemanticId;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrefixTrieTest {
    // item -> SID; deliberately unsorted so the trie must sort
    private static final SemanticId[] SIDS = {
            SemanticId.of(3, 1, 0),   // item 0
            SemanticId.of(0, 2, 5),   // item 1
            SemanticId.of(3, 0, 7),   // item 2
            SemanticId.of(0, 2, 1),   // item 3
            SemanticId.of(1, 9, 9),   // item 4
    };

    @Test
    void structure() {
        PrefixTrie t = PrefixTrie.build(SIDS);
        assertEquals(3, t.depth());
        // nodes: root; level 1: 0, 1, 3; level 2: (0,2), (1,9), (3,0), (3,1); leaves: 5
        assertEquals(1 + 3 + 4 + 5, t.nodeCount());
        int root = t.root();
        assertEquals(0, t.depthOf(root));
        assertEquals(3, t.childCount(root));
        assertEquals(List.of(0, 1, 3), List.of(t.childCode(root, 0), t.childCode(root, 1), t.childCode(root, 2)));
        int n3 = t.child(root, 3);
        assertEquals(2, t.childCount(n3));
        assertEquals(0, t.childCode(n3, 0)); // sorted: 0 before 1
        assertEquals(1, t.childCode(n3, 1));
        assertEquals(-1, t.child(root, 2));
        int n02 = t.find(SemanticId.of(0, 2));
        assertEquals(2, t.depthOf(n02));
        assertEquals(List.of(1, 5), List.of(t.childCode(n02, 0), t.childCode(n02, 1)));
        assertEquals(3, t.itemAt(t.childNode(n02, 0)));  // (0,2,1) is item 3
        assertEquals(1, t.itemAt(t.childNode(n02, 1)));  // (0,2,5) is item 1
        assertEquals(-1, t.itemAt(n02));
        for (int item = 0; item < SIDS.length; item++) {
            int leaf = t.find(SIDS[item]);
            assertEquals(item, t.itemAt(leaf));
            assertEquals(3, t.depthOf(leaf));
            assertEquals(0, t.childCount(leaf));
        }
    }

    @Test
    void containsAndPrefixes() {
        PrefixTrie t = PrefixTrie.build(SIDS);
        assertTrue(t.contains(SemanticId.of(3)));
        assertTrue(t.contains(SemanticId.of(3, 0)));
        assertFalse(t.contains(SemanticId.of(3, 2)));
        assertFalse(t.contains(SemanticId.of(0, 2, 5, 0)));   // longer than the depth
        assertEquals(-1, t.find(SemanticId.of(1, 9, 8)));
        assertEquals(List.of(SemanticId.of(0), SemanticId.of(1), SemanticId.of(3)), List.copyOf(t.prefixes(1)));
        assertEquals(List.of(SemanticId.of(0, 2), SemanticId.of(1, 9), SemanticId.of(3, 0), SemanticId.of(3, 1)),
                List.copyOf(t.prefixes(2)));
        assertEquals(5, t.prefixes(3).size());
        assertThrows(IllegalArgumentException.class, () -> t.prefixes(4));
        assertThrows(IllegalArgumentException.class, () -> t.prefixes(0));
    }

    @Test
    void rejectsBadCatalogs() {
        var dup = assertThrows(IllegalArgumentException.class,
                () -> PrefixTrie.build(new SemanticId[]{SemanticId.of(1, 2), SemanticId.of(0, 0), SemanticId.of(1, 2)}));
        assertTrue(dup.getMessage().contains("items 0 and 2 share SID <1-2>"), dup.getMessage());
        var mixed = assertThrows(IllegalArgumentException.class,
                () -> PrefixTrie.build(new SemanticId[]{SemanticId.of(1, 2), SemanticId.of(1, 2, 3)}));
        assertTrue(mixed.getMessage().contains("item 1 has SID length 3, expected 2"), mixed.getMessage());
        assertThrows(IllegalArgumentException.class, () -> PrefixTrie.build(new SemanticId[0]));
        var nullSid = assertThrows(IllegalArgumentException.class,
                () -> PrefixTrie.build(new SemanticId[]{SemanticId.of(1), null}));
        assertTrue(nullSid.getMessage().contains("item 1 has no SID"));
    }
}

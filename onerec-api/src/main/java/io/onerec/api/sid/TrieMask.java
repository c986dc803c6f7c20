package io.onerec.api.sid;

/**
 * Which parts of a {@link PrefixTrie} one request may still decode into: {@link #allows(int)} is true exactly when
 * the subtree of a node holds at least one allowed item (at a leaf: when its item is allowed). Constrained decoding
 * expands a beam only into allowed children, so no beam slot is ever spent on a prefix whose items are all filtered
 * out, and the last level checks the concrete item.
 *
 * <p>Per node the answers for its children form the node's allowed-children mask ({@link #allowedCodes}), the form a
 * backend needs to mask logits on a device. Masks are built per request against one trie by {@link TrieMasks} (or
 * {@link io.onerec.api.ItemFilter#mask}); they are only valid for that trie.
 *
 * <p>Not thread-safe in general: masks answer lazily and memoise what they computed, so each search builds its own.
 */
@FunctionalInterface
public interface TrieMask {
    /** Allows every item. */
    TrieMask ALL = node -> true;

    /** Whether at least one allowed item lies in the subtree of {@code node}. */
    boolean allows(int node);

    /**
     * The allowed-children mask of a node: {@code out[code]} is set to whether the child reached by {@code code} is
     * allowed, false for codes with no child. {@code out} must hold at least the codebook size of the next level.
     */
    default void allowedCodes(PrefixTrie trie, int node, boolean[] out) {
        java.util.Arrays.fill(out, false);
        for (int i = 0, n = trie.childCount(node); i < n; i++) {
            out[trie.childCode(node, i)] = allows(trie.childNode(node, i));
        }
    }
}

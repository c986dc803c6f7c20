package io.onerec.api;

import io.onerec.api.sid.PrefixTrie;

import java.nio.file.Path;
import java.util.Set;

/**
 * Maps items to semantic IDs and back. A fitted codec knows every catalog item's SID (quantization codes plus,
 * where items collide, a disambiguation code, so every item's SID is unique) and offers the prefix trie
 * of valid SIDs that constrained decoding walks.
 */
public interface SemanticIdCodec {

    /** Number of code positions in a full SID, including the disambiguation level when there is one. */
    int levels();

    /** Number of residual-quantization levels (levels() minus the disambiguation level, if any). */
    int quantizationLevels();

    /** Codebook size per code position (length {@link #levels()}); codes at position l lie in [0, sizes[l]). */
    int[] codebookSizes();

    /** Number of catalog items, retired ones included (item indices are 0..itemCount()-1). */
    int itemCount();

    /**
     * Whether an item has been taken out of the catalog: it keeps its index and SID (histories may still mention
     * it) but is not in {@link #trie()}, so it is never generated.
     */
    default boolean isRetired(int item) {
        return false;
    }

    /** The unique SID of a catalog item. Throws IllegalArgumentException for an unknown item. */
    SemanticId sidOf(int item);

    /** The item with exactly this full SID, or -1 when no item has it. Throws on a SID of the wrong length. */
    int itemOf(SemanticId sid);

    /** Items whose SID starts with the given prefix (any length from 1 to levels()). */
    int[] itemsWithPrefix(SemanticId prefix);

    /** Quantizes an embedding (not necessarily a catalog item) to its {@link #quantizationLevels()} codes. */
    SemanticId encode(float[] embedding);

    /** Trie over the SIDs of all live (not retired) catalog items; what constrained decoding walks. */
    PrefixTrie trie();

    /** All valid SID prefixes of the given length, e.g. length 2 for Think-Ahead's (c1, c2) prefixes. */
    default Set<SemanticId> validPrefixes(int length) {
        return trie().prefixes(length);
    }

    /**
     * Identifies the code space: SID prefixes computed against one codec (Think-Ahead's stored prefixes) mean the
     * same thing under every codec with the same fingerprint, and are stale under any other. This default hashes the
     * codebook sizes and every item's SID and retirement, so any catalog change changes it; codecs that know their
     * codebooks hash those instead ({@code ResidualCodec}: catalog updates keep the fingerprint, a refit changes it).
     * Costs a pass over the catalog; callers that check often should keep the result per codec instance.
     */
    default String fingerprint() {
        CodecFingerprint f = new CodecFingerprint("sid-table");
        f.add(codebookSizes()).add(itemCount());
        for (int item = 0; item < itemCount(); item++) f.add(sidOf(item).codes()).add(isRetired(item) ? 1 : 0);
        return f.digest();
    }

    /** Writes the codec (codebooks and item -> SID table) as a checkpoint directory. */
    void save(Path dir);
}

package io.onerec.core.codec;

import io.onerec.core.vector.DistanceKernel;
import io.onerec.core.vector.PackedCentroids;
import io.onerec.core.vector.KernelProvider;
import io.onerec.api.SemanticId;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.sid.PrefixTrie;
import it.unimi.dsi.fastutil.ints.IntArrayList;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * A fitted residual-quantization codec: L codebooks, plus every catalog item's SID (its L codes and, when some
 * items share all L codes, a final disambiguation code). Immutable and thread-safe.
 *
 * <p>{@link #encode} quantizes any embedding greedily, level by level, to the nearest centroid of the residual. For a
 * codec fitted with plain K-means this reproduces every catalog item's codes; balanced K-means assigns items under a
 * size constraint, so an item's stored codes need not be its nearest centroids.
 */
public final class ResidualCodec implements SemanticIdCodec {
    private final int dim;
    private final float[][] codebooks;
    private final int[] sizes;
    private final int quantLevels;
    private final boolean disambiguation;
    private final ResidualCodecFitter.Method method;
    private final int[] table;
    private final SemanticId[] sids;
    private final PrefixTrie trie;
    private final DistanceKernel kernel;
    private final PackedCentroids[] packed;

    /**
     * @param codebooks   row-major {@code [sizes[l], dim]} per quantization level
     * @param sizes       codebook size per SID position (quantization levels, then the disambiguation position if any)
     * @param itemSids    item -> SID, row-major {@code [items, sizes.length]}
     * @throws IllegalArgumentException on inconsistent shapes, codes out of range or duplicate SIDs
     */
    public ResidualCodec(int dim, float[][] codebooks, int[] sizes, boolean disambiguation,
                         ResidualCodecFitter.Method method, int[] itemSids) {
        if (dim <= 0) throw new IllegalArgumentException("dim must be positive, got " + dim);
        this.quantLevels = codebooks.length;
        if (quantLevels == 0) throw new IllegalArgumentException("a codec needs at least one level");
        int positions = quantLevels + (disambiguation ? 1 : 0);
        if (sizes.length != positions) {
            throw new IllegalArgumentException(sizes.length + " codebook sizes for " + positions + " SID positions");
        }
        for (int l = 0; l < quantLevels; l++) {
            if (sizes[l] <= 0 || (long) sizes[l] * dim != codebooks[l].length) {
                throw new IllegalArgumentException("codebook " + l + " has " + codebooks[l].length + " floats, expected "
                        + sizes[l] + " x " + dim);
            }
            for (float v : codebooks[l]) {
                if (!Float.isFinite(v)) throw new IllegalArgumentException("codebook " + l + " holds a non-finite value " + v);
            }
        }
        if (disambiguation && sizes[quantLevels] <= 0) {
            throw new IllegalArgumentException("disambiguation position has size " + sizes[quantLevels]);
        }
        if (itemSids.length == 0 || itemSids.length % positions != 0) {
            throw new IllegalArgumentException("item SID table has " + itemSids.length + " codes, not a positive multiple of " + positions);
        }
        int items = itemSids.length / positions;
        this.sids = new SemanticId[items];
        for (int i = 0; i < items; i++) {
            for (int l = 0; l < positions; l++) {
                int code = itemSids[i * positions + l];
                if (code < 0 || code >= sizes[l]) {
                    throw new IllegalArgumentException("item " + i + " has code " + code + " at position " + l + ", outside [0, " + sizes[l] + ")");
                }
            }
            sids[i] = SemanticId.of(Arrays.copyOfRange(itemSids, i * positions, (i + 1) * positions));
        }
        this.trie = PrefixTrie.build(sids); // throws on duplicate SIDs
        this.dim = dim;
        this.codebooks = new float[quantLevels][];
        for (int l = 0; l < quantLevels; l++) this.codebooks[l] = codebooks[l].clone();
        this.sizes = sizes.clone();
        this.disambiguation = disambiguation;
        this.method = method;
        this.table = itemSids.clone();
        this.kernel = KernelProvider.distanceKernel();
        this.packed = new PackedCentroids[quantLevels];
        for (int l = 0; l < quantLevels; l++) packed[l] = kernel.pack(this.codebooks[l], sizes[l], dim);
    }

    /** Loads a codec saved with {@link #save(Path)}; a corrupt directory gives a CheckpointException. */
    public static ResidualCodec load(Path dir) {
        return CodecCheckpoint.read(dir);
    }

    @Override
    public int levels() {
        return sizes.length;
    }

    @Override
    public int quantizationLevels() {
        return quantLevels;
    }

    public boolean hasDisambiguation() {
        return disambiguation;
    }

    public ResidualCodecFitter.Method method() {
        return method;
    }

    public int dim() {
        return dim;
    }

    @Override
    public int[] codebookSizes() {
        return sizes.clone();
    }

    /** A copy of one level's codebook, row-major {@code [K, dim]}. */
    public float[] codebook(int level) {
        return codebooks[level].clone();
    }

    @Override
    public int itemCount() {
        return sids.length;
    }

    @Override
    public SemanticId sidOf(int item) {
        if (item < 0 || item >= sids.length) {
            throw new IllegalArgumentException("unknown item " + item + ": the codec has items 0.." + (sids.length - 1));
        }
        return sids[item];
    }

    /** The SID table, row-major {@code [items, levels()]} (a copy). */
    public int[] sidTable() {
        return table.clone();
    }

    @Override
    public int itemOf(SemanticId sid) {
        if (sid.length() != levels()) {
            throw new IllegalArgumentException("SID " + sid + " has " + sid.length() + " codes, this codec's SIDs have " + levels());
        }
        int node = trie.find(sid);
        return node < 0 ? -1 : trie.itemAt(node);
    }

    @Override
    public int[] itemsWithPrefix(SemanticId prefix) {
        if (prefix.length() > levels()) {
            throw new IllegalArgumentException("prefix " + prefix + " is longer than this codec's SIDs (" + levels() + ")");
        }
        int node = trie.find(prefix);
        if (node < 0) return new int[0];
        IntArrayList out = new IntArrayList();
        IntArrayList stack = new IntArrayList();
        stack.add(node);
        while (!stack.isEmpty()) {
            int n = stack.popInt();
            if (trie.depthOf(n) == trie.depth()) {
                out.add(trie.itemAt(n));
                continue;
            }
            for (int i = trie.childCount(n) - 1; i >= 0; i--) stack.add(trie.childNode(n, i));
        }
        return out.toIntArray();
    }

    @Override
    public SemanticId encode(float[] embedding) {
        if (embedding.length != dim) {
            throw new IllegalArgumentException("embedding has dimension " + embedding.length + ", the codec expects " + dim);
        }
        float[] r = embedding.clone();
        for (float v : r) {
            if (!Float.isFinite(v)) throw new IllegalArgumentException("embedding holds a non-finite value " + v);
        }
        int[] codes = new int[quantLevels];
        int[] row = {0};
        int[] best = new int[1];
        float[] score = new float[1];
        for (int l = 0; l < quantLevels; l++) {
            best[0] = 0;
            score[0] = Float.POSITIVE_INFINITY;
            kernel.nearest(r, row, 0, 1, packed[l], 0, packed[l].panels(), score, best, 0);
            codes[l] = best[0];
            float[] cb = codebooks[l];
            int co = best[0] * dim;
            for (int d = 0; d < dim; d++) r[d] -= cb[co + d];
        }
        return SemanticId.of(codes);
    }

    @Override
    public PrefixTrie trie() {
        return trie;
    }

    @Override
    public void save(Path dir) {
        CodecCheckpoint.write(dir, this);
    }

    @Override
    public String toString() {
        return "ResidualCodec[" + method + ", " + sids.length + " items, dim " + dim + ", sizes " + Arrays.toString(sizes) + "]";
    }
}

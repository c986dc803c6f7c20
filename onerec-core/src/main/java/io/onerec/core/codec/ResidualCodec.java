package io.onerec.core.codec;

import io.onerec.core.vector.DistanceKernel;
import io.onerec.core.vector.PackedCentroids;
import io.onerec.core.vector.KernelProvider;
import io.onerec.api.SemanticId;
import io.onerec.api.CodecFingerprint;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.sid.PrefixTrie;
import it.unimi.dsi.fastutil.ints.IntArrayList;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A fitted residual-quantization codec: L codebooks, plus every catalog item's SID (its L codes and, when some
 * items share all L codes, a final disambiguation code). Immutable and thread-safe.
 *
 * <p>{@link #encode} quantizes any embedding greedily, level by level, to the nearest centroid of the residual. For a
 * codec fitted with plain K-means this reproduces every catalog item's codes; balanced K-means assigns items under a
 * size constraint, so an item's stored codes need not be its nearest centroids.
 *
 * <p>The catalog can change without refitting (docs/catalog-updates.md): {@link #withNewItems} gives new items the
 * nearest free SID under the fitted codebooks, {@link #withRetired} takes items out of the decoding trie while
 * their index and SID stay reserved (histories still mention them), {@link #withRestored} brings them back. Each
 * returns a new codec and leaves this one untouched; {@link LiveCatalog} publishes such snapshots atomically.
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
    /** Sorted indices of retired items: they keep their SID but are not in {@link #trie}. */
    private final int[] retired;
    /** Trie of the live items: what decoding may reach. */
    private final PrefixTrie trie;
    /** Trie of every item, retired ones included: SID lookup and which SIDs are taken. Same as trie without retired items. */
    private final PrefixTrie allSids;
    private final DistanceKernel kernel;
    private final PackedCentroids[] packed;
    /** Lazily computed {@link #fingerprint()}; a benign race computes the same string twice at worst. */
    private volatile String fingerprint;

    /**
     * @param codebooks   row-major {@code [sizes[l], dim]} per quantization level
     * @param sizes       codebook size per SID position (quantization levels, then the disambiguation position if any)
     * @param itemSids    item -> SID, row-major {@code [items, sizes.length]}
     * @throws IllegalArgumentException on inconsistent shapes, codes out of range or duplicate SIDs
     */
    public ResidualCodec(int dim, float[][] codebooks, int[] sizes, boolean disambiguation,
                         ResidualCodecFitter.Method method, int[] itemSids) {
        this(dim, codebooks, sizes, disambiguation, method, itemSids, new int[0]);
    }

    /**
     * As {@link #ResidualCodec(int, float[][], int[], boolean, ResidualCodecFitter.Method, int[])}, with some items
     * retired (not decodable; their SIDs stay reserved).
     */
    ResidualCodec(int dim, float[][] codebooks, int[] sizes, boolean disambiguation,
                  ResidualCodecFitter.Method method, int[] itemSids, int[] retiredItems) {
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
        this.retired = checkRetired(retiredItems, items);
        this.allSids = PrefixTrie.build(sids); // throws on duplicate SIDs
        this.trie = liveTrie(allSids, sids, retired);
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

    /** A changed catalog over the same codebooks (shared, never written to). */
    private ResidualCodec(ResidualCodec base, SemanticId[] sids, int[] table, int[] retired) {
        this.dim = base.dim;
        this.codebooks = base.codebooks;
        this.sizes = base.sizes;
        this.quantLevels = base.quantLevels;
        this.disambiguation = base.disambiguation;
        this.method = base.method;
        this.kernel = base.kernel;
        this.packed = base.packed;
        this.sids = sids;
        this.table = table;
        this.retired = retired;
        this.allSids = PrefixTrie.build(sids);
        this.trie = liveTrie(allSids, sids, retired);
    }

    private static int[] checkRetired(int[] items, int itemCount) {
        int[] r = items.clone();
        Arrays.sort(r);
        for (int i = 0; i < r.length; i++) {
            if (r[i] < 0 || r[i] >= itemCount) {
                throw new IllegalArgumentException("retired item " + r[i] + " is not in the catalog (items 0.." + (itemCount - 1) + ")");
            }
            if (i > 0 && r[i] == r[i - 1]) throw new IllegalArgumentException("item " + r[i] + " is listed as retired twice");
        }
        return r;
    }

    private static PrefixTrie liveTrie(PrefixTrie all, SemanticId[] sids, int[] retired) {
        return retired.length == 0 ? all : PrefixTrie.build(sids, item -> Arrays.binarySearch(retired, item) < 0);
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

    /**
     * Hashes what gives codes their meaning: dimension, method, levels, disambiguation, codebook sizes and every
     * codebook entry's exact bits. Catalog updates ({@link #withNewItems}, {@link #withRetired}) keep the codebooks and
     * so the fingerprint; a refit changes it. Computed once per instance.
     */
    @Override
    public String fingerprint() {
        String f = fingerprint;
        if (f == null) {
            CodecFingerprint b = new CodecFingerprint("residual-codebooks").add(dim).add(method.name()).add(quantLevels)
                    .add(disambiguation ? 1 : 0).add(sizes);
            for (float[] c : codebooks) b.add(c);
            fingerprint = f = b.digest();
        }
        return f;
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

    /** Whether an item has been retired: it keeps its index and SID but cannot be generated. */
    @Override
    public boolean isRetired(int item) {
        sidOf(item); // range check
        return Arrays.binarySearch(retired, item) >= 0;
    }

    /** Retired items, ascending (a copy). */
    public int[] retiredItems() {
        return retired.clone();
    }

    /** The item with exactly this SID, retired ones included (their SIDs stay reserved), or -1. */
    @Override
    public int itemOf(SemanticId sid) {
        if (sid.length() != levels()) {
            throw new IllegalArgumentException("SID " + sid + " has " + sid.length() + " codes, this codec's SIDs have " + levels());
        }
        int node = allSids.find(sid);
        return node < 0 ? -1 : allSids.itemAt(node);
    }

    /** Live (not retired) items whose SID starts with the prefix. */
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

    /** Trie over the SIDs of the live (not retired) items. */
    @Override
    public PrefixTrie trie() {
        return trie;
    }

    /** How many nearest code tuples {@link #assignSid} considers before giving up. */
    static final int ASSIGNMENT_CANDIDATES = 64;

    /**
     * The SID a new item with this embedding would get: its quantization codes are {@link #encode}'s (the nearest
     * centroid of the residual, level by level) and its disambiguation code the lowest one no item holds under them.
     * When that tuple has no free slot (or, without a disambiguation level, is taken), the next nearest code tuples
     * by reconstruction error are tried, from a beam over the levels.
     *
     * @throws IllegalStateException when none of the {@value #ASSIGNMENT_CANDIDATES} nearest tuples has a free SID:
     *                               the catalog has outgrown the codec and it should be refitted
     */
    public SemanticId assignSid(float[] embedding) {
        return assignSid(embedding, Set.of());
    }

    private SemanticId assignSid(float[] embedding, Set<SemanticId> alsoTaken) {
        List<int[]> candidates = new ArrayList<>();
        candidates.add(encode(embedding).codes());
        candidates.addAll(nearestTuples(embedding, ASSIGNMENT_CANDIDATES));
        Set<SemanticId> tried = new HashSet<>();
        for (int[] codes : candidates) {
            SemanticId tuple = SemanticId.of(codes);
            if (!tried.add(tuple)) continue;
            if (!disambiguation) {
                if (allSids.find(tuple) < 0 && !alsoTaken.contains(tuple)) return tuple;
                continue;
            }
            int node = allSids.find(tuple);
            int[] full = Arrays.copyOf(codes, quantLevels + 1);
            for (int d = 0; d < sizes[quantLevels]; d++) {
                full[quantLevels] = d;
                SemanticId sid = SemanticId.of(full);
                if ((node < 0 || allSids.child(node, d) < 0) && !alsoTaken.contains(sid)) return sid;
            }
        }
        throw new IllegalStateException("no free SID among the " + tried.size() + " code tuples nearest to the new item"
                + (disambiguation ? " (each has all " + sizes[quantLevels] + " disambiguation codes taken)" : " (all taken)")
                + ": the catalog has outgrown this codec; refit it");
    }

    /** Up to {@code width} full code tuples ordered by squared reconstruction error, from a beam over the levels. */
    private List<int[]> nearestTuples(float[] embedding, int width) {
        List<int[]> beam = List.of(new int[0]);
        List<float[]> residuals = List.of(embedding.clone());
        for (int l = 0; l < quantLevels; l++) {
            int k = sizes[l];
            int n = beam.size();
            double[] err = new double[n * k];
            float[] cb = codebooks[l];
            for (int b = 0; b < n; b++) {
                float[] r = residuals.get(b);
                for (int c = 0; c < k; c++) {
                    double e = 0;
                    for (int d = 0, o = c * dim; d < dim; d++) {
                        double diff = r[d] - cb[o + d];
                        e += diff * diff;
                    }
                    err[b * k + c] = e;
                }
            }
            Integer[] order = new Integer[n * k];
            for (int i = 0; i < order.length; i++) order[i] = i;
            Arrays.sort(order, (a, b) -> Double.compare(err[a], err[b]));
            List<int[]> nextBeam = new ArrayList<>();
            List<float[]> nextResiduals = new ArrayList<>();
            for (int i = 0; i < Math.min(width, order.length); i++) {
                int b = order[i] / k, c = order[i] % k;
                int[] codes = Arrays.copyOf(beam.get(b), l + 1);
                codes[l] = c;
                float[] r = residuals.get(b).clone();
                for (int d = 0, o = c * dim; d < dim; d++) r[d] -= cb[o + d];
                nextBeam.add(codes);
                nextResiduals.add(r);
            }
            beam = nextBeam;
            residuals = nextResiduals;
        }
        return beam;
    }

    /**
     * A codec whose catalog also holds new items, with indices {@link #itemCount()}, {@link #itemCount()} + 1, ... in
     * the order given, each with the SID {@link #assignSid} picks (later items of the batch see earlier ones' SIDs
     * as taken). Codebooks are not refitted.
     *
     * @throws IllegalStateException when an item finds no free SID (refit the codec)
     */
    public ResidualCodec withNewItems(float[][] embeddings) {
        int positions = levels();
        int n = sids.length, added = embeddings.length;
        SemanticId[] nextSids = Arrays.copyOf(sids, n + added);
        int[] nextTable = Arrays.copyOf(table, (n + added) * positions);
        Set<SemanticId> taken = new HashSet<>();
        for (int i = 0; i < added; i++) {
            SemanticId sid = assignSid(embeddings[i], taken);
            taken.add(sid);
            nextSids[n + i] = sid;
            for (int l = 0; l < positions; l++) nextTable[(n + i) * positions + l] = sid.code(l);
        }
        return new ResidualCodec(this, nextSids, nextTable, retired);
    }

    /**
     * A codec in which these items can no longer be generated. They keep their index and SID (user histories still
     * mention them, and the SID is never handed to another item, so a history token keeps one meaning). Retiring a
     * retired item is a no-op.
     */
    public ResidualCodec withRetired(int... items) {
        Set<Integer> next = new java.util.TreeSet<>();
        for (int r : retired) next.add(r);
        for (int item : items) {
            sidOf(item); // range check
            next.add(item);
        }
        return new ResidualCodec(this, sids, table, next.stream().mapToInt(Integer::intValue).toArray());
    }

    /** A codec in which these retired items can be generated again (under their old SIDs); live items are ignored. */
    public ResidualCodec withRestored(int... items) {
        Set<Integer> next = new java.util.TreeSet<>();
        for (int r : retired) next.add(r);
        for (int item : items) {
            sidOf(item);
            next.remove(item);
        }
        return new ResidualCodec(this, sids, table, next.stream().mapToInt(Integer::intValue).toArray());
    }

    @Override
    public void save(Path dir) {
        CodecCheckpoint.write(dir, this);
    }

    @Override
    public String toString() {
        return "ResidualCodec[" + method + ", " + sids.length + " items" + (retired.length > 0 ? " (" + retired.length + " retired)" : "") + ", dim " + dim + ", sizes " + Arrays.toString(sizes) + "]";
    }
}

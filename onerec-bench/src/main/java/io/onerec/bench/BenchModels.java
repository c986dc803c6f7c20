package io.onerec.bench;

import io.onerec.api.SemanticId;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.UserHistory;
import io.onerec.api.checkpoint.Checkpoint;
import io.onerec.api.checkpoint.HostTensor;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.api.sid.PrefixTrie;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Benchmark fixtures: a TIGER-sized SID table (3 levels of 256 codes plus a disambiguation level) over a
 * Beauty-sized catalog, random-weight generator checkpoints that every backend loads, random user histories.
 */
final class BenchModels {
    static final int ITEMS = 12_101;

    private BenchModels() {
    }

    /**
     * "d128": d=128, 4 heads, d_ff=512, 4+4 layers (TIGER); "d512": d=512, 8 heads, d_ff=2048, 4+4 layers;
     * "d128-moe24": d128 whose decoder FFNs are 24 experts (d_ff 512) top-2; "d128-ff1024": d128 with the decoder
     * FFN of the same active size (d_ff 1024; the encoder's FFN is then 1024 too).
     */
    static GeneratorConfig config(String model, int[] codebooks) {
        return switch (model) {
            case "d128" -> new GeneratorConfig(128, 4, 512, 4, 4, 0, 0, 20, codebooks, 0, 1, 1e-6);
            case "d128-moe24" -> new GeneratorConfig(128, 4, 512, 4, 4, 24, 2, 20, codebooks, 0, 1, 1e-6);
            case "d128-ff1024" -> new GeneratorConfig(128, 4, 1024, 4, 4, 0, 0, 20, codebooks, 0, 1, 1e-6);
            case "d512" -> new GeneratorConfig(512, 8, 2048, 4, 4, 0, 0, 20, codebooks, 0, 1, 1e-6);
            default -> throw new IllegalArgumentException("unknown model " + model);
        };
    }

    /**
     * Random 3 x 256 codes per item; items sharing codes get a 4th disambiguation code 0, 1, ... as RQ-VAE
     * codecs do, so every SID is unique.
     */
    static SemanticIdCodec codec(long seed) {
        return codec(seed, ITEMS, 256);
    }

    /** OneRec's production shape: 1,000,000 items, 3 x 8,192 codes (+ disambiguation). */
    static final int ONEREC_ITEMS = 1_000_000, ONEREC_CODES = 8192;

    /** "beauty" = {@link #codec(long)}; "onerec" = random 3 x 8,192 codes over 1,000,000 items. */
    static SemanticIdCodec catalog(String name, long seed) {
        return switch (name) {
            case "beauty" -> codec(seed, ITEMS, 256);
            case "onerec" -> codec(seed, ONEREC_ITEMS, ONEREC_CODES);
            default -> throw new IllegalArgumentException("unknown catalog " + name);
        };
    }

    /** Random 3 x {@code k} codes per item, plus the disambiguation code. */
    static SemanticIdCodec codec(long seed, int items, int k) {
        Random r = new Random(seed);
        int[][] codes = new int[items][4];
        Map<Long, Integer> seen = new HashMap<>();
        int maxDup = 0;
        for (int i = 0; i < items; i++) {
            for (int l = 0; l < 3; l++) codes[i][l] = r.nextInt(k);
            long key = ((long) codes[i][0] << 42) | ((long) codes[i][1] << 21) | codes[i][2];
            int dup = seen.merge(key, 1, Integer::sum) - 1;
            codes[i][3] = dup;
            maxDup = Math.max(maxDup, dup);
        }
        SemanticId[] sids = new SemanticId[items];
        for (int i = 0; i < items; i++) sids[i] = SemanticId.of(codes[i]);
        return new TableCodec(sids, new int[]{k, k, k, maxDup + 1}, PrefixTrie.build(sids));
    }

    static Path checkpoint(GeneratorConfig c, long seed) {
        try {
            Path dir = Files.createTempDirectory("onerec-bench-generator");
            Random r = new Random(seed);
            Map<String, HostTensor> tensors = new LinkedHashMap<>();
            for (Map.Entry<String, long[]> e : c.parameterShapes().entrySet()) {
                float[] v = new float[(int) Arrays.stream(e.getValue()).reduce(1, (a, b) -> a * b)];
                boolean norm = e.getKey().endsWith("norm.weight");
                float std = (float) (1 / Math.sqrt(c.dModel()));
                for (int i = 0; i < v.length; i++) v[i] = norm ? 1f : std * (float) r.nextGaussian();
                tensors.put(e.getKey(), HostTensor.of(v, e.getValue()));
            }
            Checkpoint.write(dir, GeneratorConfig.CHECKPOINT_KIND, c.toJson(), tensors);
            return dir;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static List<UserHistory> users(int count, int historyLength, long seed) {
        return users(count, historyLength, ITEMS, seed);
    }

    static List<UserHistory> users(int count, int historyLength, int items, long seed) {
        Random r = new Random(seed);
        List<UserHistory> out = new ArrayList<>(count);
        for (int u = 0; u < count; u++) {
            int[] h = new int[historyLength];
            for (int i = 0; i < h.length; i++) h[i] = r.nextInt(items);
            out.add(new UserHistory(u, h));
        }
        return out;
    }

    /**
     * Useful FLOPs (2 x multiply-adds) of one next-item beam search (items_per_session 1) per user: encoder,
     * cross-attention K/V, and per decoder step the GEMMs, attention and the level head for every live beam (one at
     * the first step, {@code beam} after). A backend that computes all slots at the first step does more work than
     * this counts, so GFLOP/s derived from it is "useful GFLOP/s".
     */
    static double flopsPerUser(GeneratorConfig c, int beam, int historyLength) {
        double[] codebook = new double[c.codeLevels()];
        for (int t = 0; t < codebook.length; t++) codebook[t] = c.codebookSize(t);
        return flopsPerUser(c, beam, historyLength, codebook);
    }

    /**
     * Head logits each live beam computes per level under each head normalisation: the level's codebook size for
     * "codebook"; for "trie" (the sparse head) the root's children at the first level and, below, the mean number of
     * children of a trie node at that depth (nodes at depth t+1 / nodes at depth t). The latter is what a beam at a
     * uniformly drawn node computes; the beams' real nodes depend on the model (with random weights and random codes
     * they are close to uniform), so it is an estimate of the useful head work, not a count.
     */
    static double[] headCodesPerBeam(GeneratorConfig c, PrefixTrie trie, String softmax) {
        double[] out = new double[c.codeLevels()];
        switch (softmax) {
            case "codebook" -> {
                for (int t = 0; t < out.length; t++) out[t] = c.codebookSize(t);
            }
            case "trie" -> {
                long[] nodesAtDepth = new long[trie.depth() + 1];
                for (int n = 0; n < trie.nodeCount(); n++) nodesAtDepth[trie.depthOf(n)]++;
                for (int t = 0; t < out.length; t++) out[t] = (double) nodesAtDepth[t + 1] / nodesAtDepth[t];
            }
            default -> throw new IllegalArgumentException("unknown softmax " + softmax + " (codebook or trie)");
        }
        return out;
    }

    /** {@link #flopsPerUser(GeneratorConfig, int, int)} with {@code headCodes[t]} head logits per live beam at level t. */
    static double flopsPerUser(GeneratorConfig c, int beam, int historyLength, double[] headCodes) {
        double d = c.dModel(), ff = c.dFf(), s = Math.min(historyLength, c.maxHistory()) + (c.userBuckets() > 0 ? 1 : 0);
        double enc = c.encoderLayers() * (s * (4 * d * d + 2 * d * ff) + 2 * s * s * d);
        double crossKv = c.decoderLayers() * s * 2 * d * d;
        double dec = 0;
        for (int t = 0; t < c.codeLevels(); t++) {
            // An MoE decoder layer does the work of its top-k experts plus the router.
            double ffn = c.moe() ? c.moeTopK() * 2 * d * ff + d * c.moeExperts() : 2 * d * ff;
            double perSlot = c.decoderLayers() * (6 * d * d + ffn + 2 * (t + 1) * d + 2 * s * d) + d * headCodes[t];
            dec += (t == 0 ? 1 : beam) * perSlot;
        }
        return 2 * (enc + crossKv + dec);
    }

    record TableCodec(SemanticId[] sids, int[] sizes, PrefixTrie trie) implements SemanticIdCodec {
        @Override public int levels() { return sizes.length; }
        @Override public int quantizationLevels() { return sizes.length - 1; }
        @Override public int[] codebookSizes() { return sizes.clone(); }
        @Override public int itemCount() { return sids.length; }
        @Override public SemanticId sidOf(int item) { return sids[item]; }
        @Override public int itemOf(SemanticId sid) { int n = trie.find(sid); return n < 0 ? -1 : trie.itemAt(n); }
        @Override public int[] itemsWithPrefix(SemanticId p) { throw new UnsupportedOperationException(); }
        @Override public SemanticId encode(float[] embedding) { throw new UnsupportedOperationException(); }
        @Override public void save(Path dir) { throw new UnsupportedOperationException(); }
    }
}

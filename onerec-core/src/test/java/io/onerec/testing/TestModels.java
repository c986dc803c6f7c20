package io.onerec.testing;

import io.onerec.api.SemanticId;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.UserHistory;
import io.onerec.api.checkpoint.Checkpoint;
import io.onerec.api.checkpoint.HostTensor;
import io.onerec.api.ItemEmbeddings;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.api.sid.PrefixTrie;
import io.onerec.core.codec.ResidualCodec;
import io.onerec.core.codec.ResidualCodecFitter;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Small codecs, models and users for fast tests: random-weight generators in the checkpoint layout of
 * docs/generator-model.md, a fitted residual codec or a fixed-table codec, random user histories.
 */
public final class TestModels {
    private TestModels() {
    }

    /** A tiny generator shape (d=32, 4 heads, 2+2 layers) over these codebooks; 2 active experts when MoE is on. */
    public static GeneratorConfig config(int[] codebooks, int moeExperts, int userBuckets, int itemsPerSession) {
        return new GeneratorConfig(32, 4, 64, 2, 2, moeExperts, moeExperts > 0 ? 2 : 0, 6, codebooks, userBuckets, itemsPerSession, 1e-6);
    }

    /** {@link #config(int[], int, int, int)} over the codec's codebook sizes. */
    public static GeneratorConfig config(SemanticIdCodec codec, int moeExperts, int userBuckets, int itemsPerSession) {
        return config(codec.codebookSizes(), moeExperts, userBuckets, itemsPerSession);
    }

    /** Random tensors for every name of the layout; scale 0.3 so log-probs are far from uniform. */
    public static Map<String, HostTensor> randomTensors(GeneratorConfig c, long seed) {
        Random r = new Random(seed);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : c.parameterShapes().entrySet()) {
            long[] s = e.getValue();
            float[] data = new float[(int) Arrays.stream(s).reduce(1, (a, b) -> a * b)];
            boolean norm = e.getKey().endsWith("norm.weight");
            for (int i = 0; i < data.length; i++) data[i] = norm ? 1f + 0.1f * (float) r.nextGaussian() : 0.3f * (float) r.nextGaussian();
            out.put(e.getKey(), HostTensor.of(data, s));
        }
        return out;
    }

    public static Path writeCheckpoint(Path dir, GeneratorConfig c, long seed) {
        Checkpoint.write(dir, GeneratorConfig.CHECKPOINT_KIND, c.toJson(), randomTensors(c, seed));
        return dir;
    }

    /** A codec over {@code items} distinct random SIDs with these codebook sizes. */
    public static SemanticIdCodec codec(int items, int[] codebooks, long seed) {
        Random r = new Random(seed);
        java.util.Set<SemanticId> seen = new java.util.LinkedHashSet<>();
        while (seen.size() < items) {
            int[] codes = new int[codebooks.length];
            for (int l = 0; l < codes.length; l++) codes[l] = r.nextInt(codebooks[l]);
            seen.add(SemanticId.of(codes));
        }
        return new TableCodec(seen.toArray(SemanticId[]::new), codebooks);
    }

    /** A codec fitted (k-means) over {@code items} random 8-dim embeddings: 2 levels x {@code k} codes plus disambiguation. */
    public static ResidualCodec fittedCodec(int items, int k, long seed) {
        Random r = new Random(seed);
        int dim = 8;
        float[] data = new float[items * dim];
        for (int i = 0; i < data.length; i++) data[i] = (float) r.nextGaussian();
        var cfg = ResidualCodecFitter.Config.of(2, k, ResidualCodecFitter.Method.KMEANS).withSeed(seed).withThreads(1);
        return new ResidualCodecFitter(cfg).fit(new ItemEmbeddings(items, dim, data)).codec();
    }

    /**
     * {@code count} users with ids {@code firstUserId, firstUserId + 1, ...}, each with 1 to 8 random items below
     * {@code items}. The id matters only to models with user buckets.
     */
    public static List<UserHistory> users(int count, int items, int firstUserId, long seed) {
        Random r = new Random(seed);
        List<UserHistory> users = new ArrayList<>();
        for (int u = 0; u < count; u++) {
            int[] h = new int[1 + r.nextInt(8)];
            for (int i = 0; i < h.length; i++) h[i] = r.nextInt(items);
            users.add(new UserHistory(firstUserId + u, h));
        }
        return users;
    }

    /** A codec that is just a fixed SID table (no quantizer): enough for decoding. */
    public record TableCodec(SemanticId[] sids, int[] sizes, PrefixTrie trie) implements SemanticIdCodec {
        public TableCodec(SemanticId[] sids, int[] sizes) {
            this(sids, sizes, PrefixTrie.build(sids));
        }

        @Override public int levels() { return sizes.length; }
        @Override public int quantizationLevels() { return sizes.length; }
        @Override public int[] codebookSizes() { return sizes.clone(); }
        @Override public int itemCount() { return sids.length; }

        @Override
        public SemanticId sidOf(int item) {
            if (item < 0 || item >= sids.length) throw new IllegalArgumentException("unknown item " + item);
            return sids[item];
        }

        @Override public int itemOf(SemanticId sid) { int n = trie.find(sid); return n < 0 ? -1 : trie.itemAt(n); }

        @Override
        public int[] itemsWithPrefix(SemanticId prefix) {
            return java.util.stream.IntStream.range(0, sids.length).filter(i -> sids[i].startsWith(prefix)).toArray();
        }

        @Override public SemanticId encode(float[] embedding) { throw new UnsupportedOperationException("table codec"); }
        @Override public void save(Path dir) { throw new UnsupportedOperationException("table codec"); }
    }
}

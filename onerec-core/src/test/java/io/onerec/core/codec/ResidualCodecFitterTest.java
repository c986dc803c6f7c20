package io.onerec.core.codec;

import io.onerec.testing.SyntheticData;
import io.onerec.api.ItemEmbeddings;
import io.onerec.api.SemanticId;
import io.onerec.api.TrainingProgress;
import io.onerec.core.codec.ResidualCodecFitter.Config;
import io.onerec.core.codec.ResidualCodecFitter.Method;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResidualCodecFitterTest {

    @Test
    void balancedClustersDifferInSizeByAtMostOne() {
        // 1000 points over 7 and 64 codes: 1000 mod 7 = 6 and 1000 mod 64 = 40, so the remainder must be spread.
        ItemEmbeddings x = SyntheticData.blobs(1000, 16, 5, 11);
        for (int k : new int[]{7, 64}) {
            ResidualCodec codec = new ResidualCodecFitter(new Config(new int[]{k, k}, Method.BALANCED, 10, 1, 2)).fit(x).codec();
            for (int level = 0; level < 2; level++) {
                int[] sizes = new int[k];
                for (int i = 0; i < x.count(); i++) sizes[codec.sidOf(i).code(level)]++;
                int min = Integer.MAX_VALUE, max = 0;
                for (int s : sizes) {
                    min = Math.min(min, s);
                    max = Math.max(max, s);
                }
                assertEquals(1000 / k, min, "smallest cluster, K=" + k + " level " + level);
                assertEquals(1000 / k + (1000 % k == 0 ? 0 : 1), max, "largest cluster, K=" + k + " level " + level);
                int big = 0;
                for (int s : sizes) if (s == max) big++;
                assertEquals(1000 % k, big, "clusters holding one extra point");
            }
        }
    }

    @Test
    void clusteringBeatsARandomCodebook() {
        ItemEmbeddings x = SyntheticData.blobs(2000, 24, 40, 5);
        int k = 32;
        double random = randomCodebookError(x, k, 99);
        for (Method m : Method.values()) {
            CodecReport report = new ResidualCodecFitter(new Config(new int[]{k}, m, 20, 3, 2)).fit(x).report();
            double fitted = report.levels().getFirst().meanSquaredResidual();
            assertTrue(fitted < 0.8 * random, m + ": error " + fitted + " vs random codebook " + random);
            assertTrue(fitted < report.meanSquaredNorm());
        }
        // More levels keep reducing the error.
        CodecReport three = new ResidualCodecFitter(new Config(new int[]{k, k, k}, Method.KMEANS, 20, 3, 2)).fit(x).report();
        assertTrue(three.levels().get(1).meanSquaredResidual() < three.levels().get(0).meanSquaredResidual());
        assertTrue(three.levels().get(2).meanSquaredResidual() < three.levels().get(1).meanSquaredResidual());
    }

    /** Error of assigning every point to the nearest of k random points used as a codebook. */
    private static double randomCodebookError(ItemEmbeddings x, int k, long seed) {
        int[] pick = KMeansClustering.sample(x.count(), k, new java.util.SplittableRandom(seed));
        double total = 0;
        for (int i = 0; i < x.count(); i++) {
            double best = Double.MAX_VALUE;
            for (int p : pick) {
                double d2 = 0;
                for (int d = 0; d < x.dim(); d++) {
                    double diff = x.get(i, d) - x.get(p, d);
                    d2 += diff * diff;
                }
                best = Math.min(best, d2);
            }
            total += best;
        }
        return total / x.count();
    }

    @Test
    void deterministicBySeedAndIndependentOfThreads() {
        ItemEmbeddings x = SyntheticData.blobs(1500, 20, 12, 8);
        for (Method m : Method.values()) {
            Config c = new Config(new int[]{16, 16, 8}, m, 8, 123, 2);
            ResidualCodec a = new ResidualCodecFitter(c).fit(x).codec();
            ResidualCodec b = new ResidualCodecFitter(c.withThreads(1)).fit(x).codec();
            ResidualCodec other = new ResidualCodecFitter(c.withSeed(124)).fit(x).codec();
            assertArrayEquals(a.sidTable(), b.sidTable(), m + ": same seed, 2 vs 1 threads");
            for (int l = 0; l < 3; l++) assertArrayEquals(a.codebook(l), b.codebook(l));
            assertFalse(java.util.Arrays.equals(a.codebook(0), other.codebook(0)), m + ": another seed gives another codebook");
        }
    }

    @Test
    void kmeansEncodeReproducesAssignedCodes() {
        ItemEmbeddings x = SyntheticData.blobs(1200, 24, 30, 21);
        ResidualCodec codec = new ResidualCodecFitter(new Config(new int[]{32, 16}, Method.KMEANS, 15, 7, 2)).fit(x).codec();
        for (int i = 0; i < x.count(); i++) {
            assertEquals(codec.sidOf(i).prefix(2), codec.encode(x.row(i)), "item " + i);
        }
    }

    @Test
    void duplicatesAreDisambiguatedAndEverySidIsUnique() {
        // 300 distinct points plus copies: item 0 five times, item 1 twice; copies must collide on all levels.
        ItemEmbeddings base = SyntheticData.blobs(300, 8, 10, 4);
        int[] copies = {0, 0, 0, 0, 1};
        float[] data = java.util.Arrays.copyOf(base.data(), (300 + copies.length) * 8);
        for (int c = 0; c < copies.length; c++) System.arraycopy(base.data(), copies[c] * 8, data, (300 + c) * 8, 8);
        ItemEmbeddings x = new ItemEmbeddings(300 + copies.length, 8, data);
        for (Method m : Method.values()) {
            ResidualCodecFitter.Result r = new ResidualCodecFitter(new Config(new int[]{8, 4}, m, 10, 5, 2)).fit(x);
            ResidualCodec codec = r.codec();
            assertTrue(codec.hasDisambiguation());
            assertEquals(3, codec.levels());
            assertEquals(2, codec.quantizationLevels());
            assertEquals(r.report().maxCollisionGroup(), codec.codebookSizes()[2]);
            assertTrue(r.report().maxCollisionGroup() >= 5, "item 0 and its 4 copies share all codes");
            assertTrue(r.report().collisionRate() >= 8.0 / x.count());
            // The copies share the quantization codes of their original, and differ in the last code.
            for (int c = 0; c < copies.length; c++) {
                assertEquals(codec.sidOf(copies[c]).prefix(2), codec.sidOf(300 + c).prefix(2));
            }
            Set<SemanticId> seen = new HashSet<>();
            for (int i = 0; i < x.count(); i++) {
                SemanticId sid = codec.sidOf(i);
                assertTrue(seen.add(sid), "duplicate SID " + sid);
                assertEquals(i, codec.itemOf(sid));
                assertTrue(sid.code(2) < codec.codebookSizes()[2]);
            }
            // Within a group the disambiguation codes are 0..g-1.
            List<Integer> group = new ArrayList<>();
            for (int i : codec.itemsWithPrefix(codec.sidOf(0).prefix(2))) group.add(codec.sidOf(i).code(2));
            Collections.sort(group);
            for (int g = 0; g < group.size(); g++) assertEquals(g, group.get(g));
        }
    }

    @Test
    void noCollisionsMeansNoExtraPosition() {
        ItemEmbeddings x = SyntheticData.blobs(64, 8, 64, 2);
        ResidualCodecFitter.Result r = new ResidualCodecFitter(new Config(new int[]{64}, Method.BALANCED, 5, 1, 1)).fit(x);
        assertEquals(0.0, r.report().collisionRate());
        assertFalse(r.codec().hasDisambiguation());
        assertEquals(1, r.codec().levels());
    }

    @Test
    void reportsProgressPerLevelAndRejectsBadInput() {
        ItemEmbeddings x = SyntheticData.blobs(200, 8, 5, 3);
        List<TrainingProgress> seen = new ArrayList<>();
        new ResidualCodecFitter(new Config(new int[]{4, 4}, Method.BALANCED, 3, 1, 1), seen::add).fit(x);
        assertTrue(seen.stream().anyMatch(p -> p.phase().equals("codec/level-1")));
        assertTrue(seen.stream().anyMatch(p -> p.phase().equals("codec/level-2")));
        assertTrue(seen.stream().allMatch(p -> p.step() >= 1 && p.step() <= 3 && p.total() == 3));

        var tooMany = new ResidualCodecFitter(new Config(new int[]{201}, Method.KMEANS, 3, 1, 1));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> tooMany.fit(x)).getMessage().contains("201 codes"));
        float[] bad = x.data().clone();
        bad[17] = Float.NaN;
        var fitter = new ResidualCodecFitter(new Config(new int[]{4}, Method.KMEANS, 3, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> fitter.fit(new ItemEmbeddings(200, 8, bad)));
        assertThrows(IllegalArgumentException.class, () -> new Config(new int[]{0}, Method.KMEANS, 3, 1, 1));
    }

    @Test
    void utilisationAndEntropyOfBalancedCodesAreMaximal() {
        ItemEmbeddings x = SyntheticData.blobs(1024, 8, 3, 6);
        CodecReport r = new ResidualCodecFitter(new Config(new int[]{32}, Method.BALANCED, 5, 1, 2)).fit(x).report();
        LevelReport l = r.levels().getFirst();
        assertEquals(1.0, l.utilisation());
        assertEquals(5.0, l.entropyBits(), 1e-9, "32 equal clusters: log2(32) bits");
        assertEquals(1.0, l.normalisedEntropy(), 1e-9);
        assertNotEquals(0, l.iterations());
    }
}

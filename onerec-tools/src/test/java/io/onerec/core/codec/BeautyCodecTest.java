package io.onerec.core.codec;

import io.onerec.api.ItemEmbeddings;
import io.onerec.api.SemanticId;
import io.onerec.api.sid.PrefixTrie;
import io.onerec.core.codec.ResidualCodecFitter.Config;
import io.onerec.core.codec.ResidualCodecFitter.Method;
import io.onerec.tools.embed.BeautyEmbeddings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** 3 x 256 codecs over the real Amazon Beauty item embeddings (12,101 items). */
class BeautyCodecTest {
    @TempDir
    Path tmp;

    @Test
    void balancedCodecOnBeauty() {
        ItemEmbeddings e = BeautyEmbeddings.get();
        ResidualCodecFitter.Result r = new ResidualCodecFitter(Config.of(3, 256, Method.BALANCED).withMaxIterations(10)).fit(e);
        ResidualCodec codec = r.codec();
        checkSidsAndTrie(codec);
        for (LevelReport l : r.report().levels()) {
            // Balanced: every code holds 47 or 48 of the 12,101 items.
            assertEquals(1.0, l.utilisation(), l.toString());
            assertTrue(l.normalisedEntropy() > 0.999, l.toString());
        }
        assertErrorFalls(r.report());
        assertTrue(r.report().collisionRate() < 0.2, "collision rate " + r.report().collisionRate());

        codec.save(tmp.resolve("beauty-codec"));
        ResidualCodec loaded = ResidualCodec.load(tmp.resolve("beauty-codec"));
        assertArrayEquals(codec.sidTable(), loaded.sidTable());
        for (int l = 0; l < 3; l++) assertArrayEquals(codec.codebook(l), loaded.codebook(l));
        for (int i = 0; i < e.count(); i += 97) assertEquals(codec.encode(e.row(i)), loaded.encode(e.row(i)));
    }

    @Test
    void prunedBalancedCodecOnBeautyIsNoWorseThanTheExactOne() {
        // BeautyEndToEnd's codec (3 x 256, 10 exact iterations) against the pruned fit run to convergence.
        ItemEmbeddings e = BeautyEmbeddings.get();
        CodecReport exact = new ResidualCodecFitter(Config.of(3, 256, Method.BALANCED).withMaxIterations(10)).fit(e).report();
        ResidualCodecFitter.Result r = new ResidualCodecFitter(Config.of(3, 256, Method.BALANCED).withMaxIterations(30)
                .withCandidateClusters(32).withConvergence(0.01)).fit(e);
        CodecReport pruned = r.report();
        org.slf4j.LoggerFactory.getLogger(BeautyCodecTest.class).info("Beauty 3 x 256 balanced: exact (10 iterations) {} / pruned {}",
                exact, pruned);
        checkSidsAndTrie(r.codec());
        for (int l = 0; l < 3; l++) {
            LevelReport p = pruned.levels().get(l), x = exact.levels().get(l);
            assertEquals(1.0, p.utilisation(), p.toString());
            assertTrue(p.normalisedEntropy() > 0.999, p.toString()); // balanced: 47 or 48 items per code
            assertTrue(p.converged(), p.toString());
            assertTrue(p.meanSquaredResidual() <= 1.01 * x.meanSquaredResidual(), "level " + (l + 1) + ": pruned " + p + " vs exact " + x);
        }
        assertTrue(pruned.collisionRate() <= 1.1 * exact.collisionRate(),
                "collision rate pruned " + pruned.collisionRate() + " vs exact " + exact.collisionRate());
    }

    @Test
    void kmeansCodecOnBeautyEncodesEveryItemToItsCodes() {
        ItemEmbeddings e = BeautyEmbeddings.get();
        ResidualCodecFitter.Result r = new ResidualCodecFitter(Config.of(3, 256, Method.KMEANS).withMaxIterations(10)).fit(e);
        ResidualCodec codec = r.codec();
        checkSidsAndTrie(codec);
        for (LevelReport l : r.report().levels()) {
            assertTrue(l.utilisation() > 0.9, l.toString());
            assertTrue(l.normalisedEntropy() > 0.8, l.toString());
        }
        assertErrorFalls(r.report());
        for (int i = 0; i < e.count(); i++) {
            assertEquals(codec.sidOf(i).prefix(3), codec.encode(e.row(i)), "item " + i);
        }
    }

    private static void assertErrorFalls(CodecReport report) {
        double prev = report.meanSquaredNorm();
        for (LevelReport l : report.levels()) {
            assertTrue(l.meanSquaredResidual() < prev, l + " after " + prev);
            prev = l.meanSquaredResidual();
        }
    }

    private static void checkSidsAndTrie(ResidualCodec codec) {
        int n = codec.itemCount();
        assertEquals(12_101, n);
        PrefixTrie trie = codec.trie();
        assertEquals(codec.levels(), trie.depth());
        Set<SemanticId> unique = new HashSet<>();
        for (int i = 0; i < n; i++) {
            SemanticId sid = codec.sidOf(i);
            assertTrue(unique.add(sid), "duplicate SID " + sid);
            assertEquals(i, codec.itemOf(sid));
            assertEquals(i, trie.itemAt(trie.find(sid)));
            int[] sameFirstTwo = codec.itemsWithPrefix(sid.prefix(2));
            int item = i;
            assertTrue(Arrays.stream(sameFirstTwo).anyMatch(x -> x == item));
            for (int other : sameFirstTwo) assertEquals(sid.prefix(2), codec.sidOf(other).prefix(2));
        }
        int underFirstCodes = 0;
        for (int c = 0; c < codec.codebookSizes()[0]; c++) underFirstCodes += codec.itemsWithPrefix(SemanticId.of(c)).length;
        assertEquals(n, underFirstCodes, "every item lies under exactly one first-level code");
        assertEquals(codec.validPrefixes(1).size(), trie.childCount(trie.root()));
    }
}

package io.onerec.core.codec;

import io.onerec.api.ItemEmbeddings;
import io.onerec.api.SemanticId;
import io.onerec.api.sid.PrefixTrie;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** New, retired and restored items on a fitted codec, without refitting; persistence; LiveCatalog's atomicity. */
class CatalogUpdatesTest {
    private static final int DIM = 8;

    @TempDir
    Path tmp;

    private static float[] gaussian(Random r) {
        float[] v = new float[DIM];
        for (int d = 0; d < DIM; d++) v[d] = (float) r.nextGaussian();
        return v;
    }

    private static float[] embeddings(int items, long seed) {
        Random r = new Random(seed);
        float[] data = new float[items * DIM];
        for (int i = 0; i < items; i++) System.arraycopy(gaussian(r), 0, data, i * DIM, DIM);
        return data;
    }

    private static ResidualCodec fit(int items, int levels, int k, long seed) {
        float[] data = embeddings(items, seed);
        var cfg = ResidualCodecFitter.Config.of(levels, k, ResidualCodecFitter.Method.KMEANS).withSeed(seed).withThreads(1);
        return new ResidualCodecFitter(cfg).fit(new ItemEmbeddings(items, DIM, data)).codec();
    }

    private static void assertConsistent(ResidualCodec c) {
        Set<SemanticId> seen = new HashSet<>();
        PrefixTrie trie = c.trie();
        int live = 0;
        for (int i = 0; i < c.itemCount(); i++) {
            SemanticId sid = c.sidOf(i);
            assertTrue(seen.add(sid), "SID " + sid + " given twice");
            assertEquals(i, c.itemOf(sid), "itemOf finds every item, retired ones too");
            if (c.isRetired(i)) {
                assertEquals(-1, trie.leafOf(i), "retired item " + i + " is in the trie");
            } else {
                live++;
                assertEquals(i, trie.itemAt(trie.find(sid)));
            }
        }
        assertEquals(live, trie.size());
    }

    @Test
    void newItemsGetTheirNearestCodesAndAFreeDisambiguationCode() {
        ResidualCodec codec = fit(200, 2, 4, 1);
        assertTrue(codec.hasDisambiguation(), "the fixture needs collisions");
        Random r = new Random(2);
        float[][] fresh = new float[20][];
        for (int i = 0; i < fresh.length; i++) fresh[i] = gaussian(r);
        ResidualCodec grown = codec.withNewItems(fresh);
        assertEquals(200, codec.itemCount(), "the old snapshot is unchanged");
        assertEquals(220, grown.itemCount());
        assertConsistent(grown);
        int nearest = 0;
        for (int i = 0; i < fresh.length; i++) {
            SemanticId sid = grown.sidOf(200 + i);
            if (sid.prefix(2).equals(codec.encode(fresh[i]))) nearest++;
            int id = 200 + i;
            int[] under = grown.itemsWithPrefix(sid.prefix(2));
            assertTrue(Arrays.stream(under).anyMatch(x -> x == id), "new item decodable under its codes");
        }
        // The fitted disambiguation size is the largest collision group, so most tuples have room to spare.
        assertTrue(nearest >= 15, "only " + nearest + " of 20 new items got their nearest codes");
        // An item identical to a catalog item gets the same codes and a different, free, disambiguation code.
        float[] twin = Arrays.copyOfRange(embeddings(200, 1), 7 * DIM, 8 * DIM);
        SemanticId twinSid = grown.assignSid(twin);
        assertEquals(codec.sidOf(7).prefix(2), twinSid.prefix(2));
        assertEquals(-1, grown.itemOf(twinSid));
    }

    @Test
    void fullTuplesFallBackToTheNextNearestAndAFullCodecSaysRefit() {
        ResidualCodec codec = fit(40, 2, 2, 3); // at most 2 x 2 tuples
        int slots = codec.hasDisambiguation() ? codec.codebookSizes()[2] : 1;
        int capacity = 4 * slots;
        assertTrue(capacity > codec.itemCount(), "fixture: the codec needs free SIDs");
        float[] x = gaussian(new Random(4));
        SemanticId first = codec.assignSid(x);
        assertEquals(codec.encode(x), first.prefix(2));
        float[][] copies = new float[capacity - codec.itemCount()][];
        Arrays.fill(copies, x);
        ResidualCodec full = codec.withNewItems(copies);
        assertConsistent(full);
        assertEquals(capacity, full.itemCount());
        Set<SemanticId> tuples = new HashSet<>();
        for (int i = codec.itemCount(); i < full.itemCount(); i++) tuples.add(full.sidOf(i).prefix(2));
        assertTrue(tuples.size() > 1, "identical items overflowed into other tuples");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> full.assignSid(x));
        assertTrue(e.getMessage().contains("refit"), e.getMessage());

        LiveCatalog catalog = new LiveCatalog(full);
        assertThrows(IllegalStateException.class, () -> catalog.add(new float[][]{x}));
        assertSame(full, catalog.get(), "a failed add publishes nothing");
        catalog.retire(0);
        assertThrows(IllegalStateException.class, () -> catalog.add(x), "a retired item's SID stays reserved");
    }

    @Test
    void retireRestoreAndPersistRoundTrip() {
        ResidualCodec codec = fit(100, 2, 4, 5);
        LiveCatalog catalog = new LiveCatalog(codec);
        Random r = new Random(6);
        int[] added = catalog.add(new float[][]{gaussian(r), gaussian(r), gaussian(r)});
        assertArrayEquals(new int[]{100, 101, 102}, added);
        catalog.retire(5, 101, 5);
        catalog.retire(7);
        catalog.restore(7, 8);
        ResidualCodec now = catalog.get();
        assertArrayEquals(new int[]{5, 101}, now.retiredItems());
        assertConsistent(now);
        assertEquals(101, now.trie().size());
        assertFalse(Arrays.stream(now.itemsWithPrefix(now.sidOf(5).prefix(1))).anyMatch(i -> i == 5));
        assertThrows(IllegalArgumentException.class, () -> catalog.retire(103));

        catalog.save(tmp.resolve("codec"));
        ResidualCodec loaded = LiveCatalog.load(tmp.resolve("codec")).get();
        assertArrayEquals(now.sidTable(), loaded.sidTable());
        assertArrayEquals(now.retiredItems(), loaded.retiredItems());
        assertEquals(now.trie().size(), loaded.trie().size());
        float[] next = gaussian(r);
        assertEquals(now.assignSid(next), loaded.assignSid(next));
        assertConsistent(loaded);
        // Fully restored, the catalog saves as a plain codec again.
        catalog.restore(5, 101);
        catalog.save(tmp.resolve("codec2"));
        assertEquals(0, ResidualCodec.load(tmp.resolve("codec2")).retiredItems().length);
    }

    @Test
    void codecWithoutDisambiguationGivesNewItemsUntakenTuples() {
        ResidualCodec codec = fit(10, 2, 8, 7); // 10 items in 64 tuples: no collisions for this seed
        assertFalse(codec.hasDisambiguation(), "fixture: 10 items should not collide");
        Random r = new Random(8);
        float[][] fresh = new float[30][];
        for (int i = 0; i < fresh.length; i++) fresh[i] = gaussian(r);
        ResidualCodec grown = codec.withNewItems(fresh);
        assertEquals(2, grown.levels());
        assertConsistent(grown);
    }
}

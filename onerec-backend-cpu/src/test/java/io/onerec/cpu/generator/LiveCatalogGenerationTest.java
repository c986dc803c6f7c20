package io.onerec.cpu.generator;

import io.onerec.api.DecodingOptions;
import io.onerec.api.GeneratedSession;
import io.onerec.api.ItemFilter;
import io.onerec.api.UserHistory;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.api.sid.PrefixTrie;
import io.onerec.core.codec.LiveCatalog;
import io.onerec.core.codec.ResidualCodec;
import io.onerec.core.vector.KernelProvider;
import io.onerec.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.*;

/** A generator serving a catalog that changes under it: cold items are decodable, retired ones never come back. */
class LiveCatalogGenerationTest {
    private static final int ITEMS = 40;
    private final ResidualCodec codec = TestModels.fittedCodec(ITEMS, 4, 31);
    private final GeneratorConfig config = TestModels.config(codec, 0, 0, 1);
    private final GeneratorWeights weights = new GeneratorWeights(config, TestModels.randomTensors(config, 4), KernelProvider.get());

    private static float[] embedding(Random r) {
        float[] v = new float[8];
        for (int d = 0; d < v.length; d++) v[d] = (float) r.nextGaussian();
        return v;
    }

    @Test
    void coldItemsAreDecodableAndRetiredItemsAreNot() {
        LiveCatalog catalog = new LiveCatalog(codec);
        try (CpuGenerator gen = new CpuGenerator(weights, catalog, 1)) {
            UserHistory user = new UserHistory(1, new int[]{3, 9});
            int cold = catalog.add(embedding(new Random(1)));
            assertEquals(ITEMS, cold);
            assertSame(catalog.get(), gen.codec(), "the generator serves the current snapshot");
            List<GeneratedSession> only = gen.generate(user, DecodingOptions.beams(3).withFilter(ItemFilter.allowlist(cold)));
            assertEquals(1, only.size());
            assertEquals(cold, only.getFirst().firstItem(), "the constrained search reaches the new item's SID");
            // The cold item can also be read from a history, and competes with the rest in an exhaustive beam.
            List<GeneratedSession> all = gen.generate(new UserHistory(2, new int[]{cold, 5}), DecodingOptions.beams(ITEMS + 1));
            assertEquals(ITEMS + 1, all.size());

            catalog.retire(cold, 5);
            List<GeneratedSession> after = gen.generate(user, DecodingOptions.beams(ITEMS + 1));
            assertEquals(ITEMS - 1, after.size());
            assertTrue(after.stream().noneMatch(s -> s.firstItem() == cold || s.firstItem() == 5));
            assertTrue(gen.generate(user, DecodingOptions.beams(3).withFilter(ItemFilter.allowlist(cold))).isEmpty());
        }
    }

    /**
     * Readers generate while a writer adds and retires items. Every snapshot a reader sees must be whole (its trie
     * holds exactly its live items), and no item retired before a request started may be returned by it.
     */
    @Test
    void concurrentGenerationNeverSeesAHalfUpdatedCatalog() throws Exception {
        LiveCatalog catalog = new LiveCatalog(codec);
        AtomicBoolean stop = new AtomicBoolean();
        ExecutorService readers = Executors.newFixedThreadPool(3);
        try (CpuGenerator gen = new CpuGenerator(weights, catalog, 2)) {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                int seed = t;
                results.add(readers.submit(() -> {
                    int requests = 0;
                    List<UserHistory> users = TestModels.users(3, ITEMS, 10 * seed, seed);
                    while (!stop.get() || requests < 5) {
                        ResidualCodec before = catalog.get();
                        assertWhole(before);
                        List<List<GeneratedSession>> out = gen.generateBatch(users, DecodingOptions.beams(12));
                        int known = catalog.get().itemCount();
                        for (List<GeneratedSession> sessions : out) {
                            for (GeneratedSession s : sessions) {
                                int item = s.firstItem();
                                assertTrue(item < known, "unknown item " + item);
                                assertFalse(item < before.itemCount() && before.isRetired(item),
                                        "item " + item + " was retired before the request started");
                            }
                        }
                        requests++;
                    }
                    return requests;
                }));
            }
            Random r = new Random(7);
            int added = 0;
            for (int round = 0; round < 30; round++) {
                int[] ids = catalog.add(new float[][]{embedding(r), embedding(r)});
                added += ids.length;
                catalog.retire(r.nextInt(ITEMS + added));
                if (round % 5 == 4) Thread.sleep(5);
            }
            stop.set(true);
            for (Future<Integer> f : results) assertTrue(f.get(5, TimeUnit.MINUTES) >= 5);
            assertWhole(catalog.get());
            assertEquals(ITEMS + 60, catalog.get().itemCount());
        } finally {
            stop.set(true);
            readers.shutdownNow();
        }
    }

    private static void assertWhole(ResidualCodec c) {
        PrefixTrie trie = c.trie();
        assertEquals(c.itemCount() - c.retiredItems().length, trie.size());
        for (int i = 0; i < c.itemCount(); i++) {
            int leaf = trie.leafOf(i);
            if (c.isRetired(i)) assertEquals(-1, leaf);
            else assertEquals(c.sidOf(i), sidAt(trie, leaf));
        }
    }

    private static io.onerec.api.SemanticId sidAt(PrefixTrie trie, int leaf) {
        int[] codes = new int[trie.depth()];
        for (int node = leaf, d = trie.depth() - 1; d >= 0; d--) {
            int parent = trie.parent(node);
            for (int i = 0; i < trie.childCount(parent); i++) {
                if (trie.childNode(parent, i) == node) codes[d] = trie.childCode(parent, i);
            }
            node = parent;
        }
        return io.onerec.api.SemanticId.of(codes);
    }
}

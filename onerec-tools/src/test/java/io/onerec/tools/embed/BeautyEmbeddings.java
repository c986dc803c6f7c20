package io.onerec.tools.embed;

import io.onerec.api.ItemEmbeddings;
import io.onerec.tools.data.Datasets;

/** The Beauty item embeddings, built once per test JVM (about a second) and shared by the tests that need them. */
public final class BeautyEmbeddings {
    private static ItemEmbeddings cached;

    private BeautyEmbeddings() {
    }

    public static synchronized ItemEmbeddings get() {
        if (cached == null) {
            cached = ItemEmbeddingBuilder.beauty(Datasets.dataDir(), ItemEmbeddingBuilder.Config.defaults());
        }
        return cached;
    }
}

package io.onerec.tools.embed;

import io.onerec.testing.SharedData;
import io.onerec.api.ItemEmbeddings;

/** The Beauty item embeddings, built once per test JVM (about a second) and shared by the tests that need them. */
public final class BeautyEmbeddings {
    private static ItemEmbeddings cached;

    private BeautyEmbeddings() {
    }

    public static synchronized ItemEmbeddings get() {
        if (cached == null) {
            cached = ItemEmbeddingBuilder.beauty(SharedData.beauty(), ItemEmbeddingBuilder.Config.defaults());
        }
        return cached;
    }
}

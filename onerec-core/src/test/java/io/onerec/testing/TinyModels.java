package io.onerec.testing;

import io.onerec.api.ItemEmbeddings;
import io.onerec.api.UserHistory;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.core.codec.ResidualCodec;
import io.onerec.core.codec.ResidualCodecFitter;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Small codecs, models and users for fast tests. */
public final class TinyModels {
    private TinyModels() {
    }

    /** A codec over {@code items} random embeddings: 2 levels x {@code k} codes plus disambiguation. */
    public static ResidualCodec codec(int items, int k, long seed) {
        Random r = new Random(seed);
        int dim = 8;
        float[] data = new float[items * dim];
        for (int i = 0; i < data.length; i++) data[i] = (float) r.nextGaussian();
        var cfg = ResidualCodecFitter.Config.of(2, k, ResidualCodecFitter.Method.KMEANS).withSeed(seed).withThreads(1);
        return new ResidualCodecFitter(cfg).fit(new ItemEmbeddings(items, dim, data)).codec();
    }

    public static GeneratorConfig config(ResidualCodec codec, int moeExperts, int userBuckets, int itemsPerSession) {
        return new GeneratorConfig(32, 4, 64, 2, 2, moeExperts, moeExperts > 0 ? 2 : 0, 6, codec.codebookSizes(),
                userBuckets, itemsPerSession, 1e-6);
    }

    public static List<UserHistory> users(int count, int items, long seed) {
        Random r = new Random(seed);
        List<UserHistory> users = new ArrayList<>();
        for (int u = 0; u < count; u++) {
            int[] h = new int[1 + r.nextInt(8)];
            for (int i = 0; i < h.length; i++) h[i] = r.nextInt(items);
            users.add(new UserHistory(u, h));
        }
        return users;
    }
}

package io.onerec.testing;

import io.onerec.api.ItemEmbeddings;

import java.util.SplittableRandom;

/** Gaussian blobs: a few well-separated cluster centres plus noise, so clustering has structure to find. */
public final class SyntheticData {
    private SyntheticData() {
    }

    public static ItemEmbeddings blobs(int n, int dim, int centres, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] c = new float[centres * dim];
        for (int i = 0; i < c.length; i++) c[i] = (float) (rnd.nextGaussian() * 3);
        float[] x = new float[n * dim];
        for (int i = 0; i < n; i++) {
            int k = rnd.nextInt(centres);
            for (int d = 0; d < dim; d++) x[i * dim + d] = c[k * dim + d] + (float) rnd.nextGaussian();
        }
        return new ItemEmbeddings(n, dim, x);
    }

    public static float[] gaussian(int n, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float) rnd.nextGaussian();
        return x;
    }
}

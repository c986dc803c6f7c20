package io.onerec.bench;

import io.onerec.api.ItemEmbeddings;

import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Benchmark input: a Gaussian mixture (centres ~ N(0, 1), points = centre + N(0, 0.5^2)), L2-normalised like real
 * item embeddings. Structured enough that clustering behaves as on real data, generated in parallel per row so a
 * million rows take a second or two.
 */
final class SyntheticEmbeddings {
    private SyntheticEmbeddings() {
    }

    static ItemEmbeddings mixture(int n, int dim, int centres, long seed) {
        float[] c = new float[centres * dim];
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int i = 0; i < c.length; i++) c[i] = (float) rnd.nextGaussian();
        float[] x = new float[n * dim];
        IntStream.range(0, n).parallel().forEach(i -> {
            SplittableRandom r = new SplittableRandom(seed * 31 + i);
            int k = r.nextInt(centres);
            double norm = 0;
            for (int d = 0; d < dim; d++) {
                float v = c[k * dim + d] + (float) (0.5 * r.nextGaussian());
                x[i * dim + d] = v;
                norm += v * v;
            }
            float inv = (float) (1 / Math.sqrt(norm));
            for (int d = 0; d < dim; d++) x[i * dim + d] *= inv;
        });
        return new ItemEmbeddings(n, dim, x);
    }
}

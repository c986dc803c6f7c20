package io.onerec.core.codec;

import io.onerec.core.vector.DistanceKernel;
import io.onerec.core.vector.PackedCentroids;
import java.util.concurrent.ForkJoinPool;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/** Row-block helpers shared by the fitters: fixed block boundaries, so results never depend on the thread count. */
final class Rows {
    /** Rows per parallel task; with dim 256 one block of rows is 256 KiB, which stays in L2 while panels stream by. */
    static final int BLOCK = 256;

    private Rows() {
    }

    static int[] identity(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) r[i] = i;
        return r;
    }

    static int blocks(int n) {
        return (n + BLOCK - 1) / BLOCK;
    }

    /** Runs {@code task} for every block index in the pool; blocks are independent. */
    static void forEachBlock(ForkJoinPool pool, int blocks, IntConsumer task) {
        if (blocks == 1 || pool.getParallelism() == 1) {
            for (int b = 0; b < blocks; b++) task.accept(b);
            return;
        }
        pool.submit(() -> IntStream.range(0, blocks).parallel().forEach(task)).join();
    }

    /** Panels per group so that a group of packed centroids is about 128 KiB (L2-resident while rows stream). */
    static int panelGroup(PackedCentroids c) {
        long bytes = (long) c.dim() * c.panelWidth() * Float.BYTES;
        return (int) Math.max(1, (128 * 1024) / bytes);
    }

    /**
     * Nearest centroid of every row of {@code x} ({@code n} rows): index into {@code bestIndex}, and
     * {@code ||c||^2 - 2 x.c} into {@code bestScore} (add {@code ||x||^2} for the squared distance).
     */
    static void nearestAll(DistanceKernel kernel, ForkJoinPool pool, float[] x, int n, PackedCentroids c,
                           int[] bestIndex, float[] bestScore) {
        int[] rows = identity(n);
        int group = panelGroup(c);
        int panels = c.panels();
        forEachBlock(pool, blocks(n), b -> {
            int from = b * BLOCK, len = Math.min(BLOCK, n - from);
            java.util.Arrays.fill(bestScore, from, from + len, Float.POSITIVE_INFINITY);
            java.util.Arrays.fill(bestIndex, from, from + len, 0);
            for (int p = 0; p < panels; p += group) {
                kernel.nearest(x, rows, from, len, c, p, Math.min(panels, p + group), bestScore, bestIndex, from);
            }
        });
    }
}

package io.onerec.tools.embed;

import it.unimi.dsi.fastutil.ints.Int2FloatOpenHashMap;

import java.util.Arrays;

/** Compressed sparse rows, float values; only what the randomized SVD needs (A X and A^T X with dense X). */
final class SparseMatrix {
    final int rows;
    final int cols;
    final int[] rowStart;
    final int[] colIndex;
    final float[] values;

    private SparseMatrix(int rows, int cols, int[] rowStart, int[] colIndex, float[] values) {
        this.rows = rows;
        this.cols = cols;
        this.rowStart = rowStart;
        this.colIndex = colIndex;
        this.values = values;
    }

    /** Builds from one hash map (column -> value) per row; columns are sorted within a row. */
    static SparseMatrix ofRows(Int2FloatOpenHashMap[] rowMaps, int cols) {
        int rows = rowMaps.length;
        int[] start = new int[rows + 1];
        for (int r = 0; r < rows; r++) start[r + 1] = start[r] + rowMaps[r].size();
        int[] idx = new int[start[rows]];
        float[] val = new float[start[rows]];
        for (int r = 0; r < rows; r++) {
            int[] keys = rowMaps[r].keySet().toIntArray();
            Arrays.sort(keys);
            for (int k = 0; k < keys.length; k++) {
                if (keys[k] < 0 || keys[k] >= cols) throw new IllegalArgumentException("column " + keys[k] + " outside [0, " + cols + ")");
                idx[start[r] + k] = keys[k];
                val[start[r] + k] = rowMaps[r].get(keys[k]);
            }
        }
        return new SparseMatrix(rows, cols, start, idx, val);
    }

    int nonZeros() {
        return values.length;
    }

    int rowNonZeros(int r) {
        return rowStart[r + 1] - rowStart[r];
    }

    /** A X, with X dense row-major {@code [cols, k]}; result {@code [rows, k]}. */
    double[] times(double[] x, int k) {
        double[] out = new double[rows * k];
        for (int r = 0; r < rows; r++) {
            int o = r * k;
            for (int p = rowStart[r]; p < rowStart[r + 1]; p++) {
                double v = values[p];
                int xo = colIndex[p] * k;
                for (int j = 0; j < k; j++) out[o + j] += v * x[xo + j];
            }
        }
        return out;
    }

    /** A^T X, with X dense row-major {@code [rows, k]}; result {@code [cols, k]}. */
    double[] transposeTimes(double[] x, int k) {
        double[] out = new double[cols * k];
        for (int r = 0; r < rows; r++) {
            int xo = r * k;
            for (int p = rowStart[r]; p < rowStart[r + 1]; p++) {
                double v = values[p];
                int o = colIndex[p] * k;
                for (int j = 0; j < k; j++) out[o + j] += v * x[xo + j];
            }
        }
        return out;
    }
}

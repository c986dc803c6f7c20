package io.onerec.tools.embed;

import java.util.SplittableRandom;

/**
 * Truncated SVD of a sparse matrix by the randomized range finder of Halko, Martinsson and Tropp (2011): sample the
 * range with a Gaussian test matrix, sharpen it with power iterations (re-orthonormalised each time), project, and
 * take the exact SVD of the small projected matrix through the eigen-decomposition of {@code B B^T} (cyclic Jacobi).
 * Double precision throughout; sizes here are a few thousand rows by a rank of about a hundred.
 */
final class RandomizedSvd {

    /** Left singular vectors {@code u} row-major {@code [rows, rank]} and singular values, descending. */
    record Result(int rows, int rank, double[] u, double[] singularValues) {
    }

    private RandomizedSvd() {
    }

    static Result compute(SparseMatrix a, int rank, int oversample, int powerIterations, long seed) {
        int l = Math.min(rank + oversample, Math.min(a.rows, a.cols));
        if (rank > l) throw new IllegalArgumentException("rank " + rank + " exceeds the matrix size " + a.rows + " x " + a.cols);
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] omega = new double[a.cols * l];
        for (int i = 0; i < omega.length; i++) omega[i] = rnd.nextGaussian();
        double[] y = a.times(omega, l);
        orthonormalize(y, a.rows, l);
        for (int q = 0; q < powerIterations; q++) {
            double[] z = a.transposeTimes(y, l);
            orthonormalize(z, a.cols, l);
            y = a.times(z, l);
            orthonormalize(y, a.rows, l);
        }
        // B = Q^T A is l x cols; B B^T = (A^T Q)^T (A^T Q).
        double[] at = a.transposeTimes(y, l); // [cols, l] = B^T
        double[] g = new double[l * l];
        for (int c = 0; c < a.cols; c++) {
            int o = c * l;
            for (int i = 0; i < l; i++) {
                double v = at[o + i];
                if (v == 0) continue;
                for (int j = i; j < l; j++) g[i * l + j] += v * at[o + j];
            }
        }
        for (int i = 0; i < l; i++) for (int j = 0; j < i; j++) g[i * l + j] = g[j * l + i];
        double[] vectors = new double[l * l];
        double[] values = jacobiEigen(g, l, vectors);
        Integer[] order = new Integer[l];
        for (int i = 0; i < l; i++) order[i] = i;
        java.util.Arrays.sort(order, (p, q) -> Double.compare(values[q], values[p]));
        double[] s = new double[rank];
        double[] u = new double[a.rows * rank];
        for (int t = 0; t < rank; t++) {
            int e = order[t];
            s[t] = Math.sqrt(Math.max(0, values[e]));
            for (int r = 0; r < a.rows; r++) {
                double acc = 0;
                for (int i = 0; i < l; i++) acc += y[r * l + i] * vectors[i * l + e];
                u[r * rank + t] = acc;
            }
        }
        return new Result(a.rows, rank, u, s);
    }

    /** Modified Gram-Schmidt on the columns of a row-major {@code [n, k]} matrix, twice for stability. */
    static void orthonormalize(double[] m, int n, int k) {
        double[] cols = new double[n * k]; // column-major copy: every inner loop below is contiguous
        for (int i = 0; i < n; i++) for (int j = 0; j < k; j++) cols[j * n + i] = m[i * k + j];
        for (int pass = 0; pass < 2; pass++) {
            for (int j = 0; j < k; j++) {
                int cj = j * n;
                for (int p = 0; p < j; p++) {
                    int cp = p * n;
                    double dot = 0;
                    for (int i = 0; i < n; i++) dot += cols[cj + i] * cols[cp + i];
                    for (int i = 0; i < n; i++) cols[cj + i] -= dot * cols[cp + i];
                }
                double norm = 0;
                for (int i = 0; i < n; i++) norm += cols[cj + i] * cols[cj + i];
                norm = Math.sqrt(norm);
                double inv = norm > 1e-300 ? 1 / norm : 0; // a rank-deficient column becomes zero
                for (int i = 0; i < n; i++) cols[cj + i] *= inv;
            }
        }
        for (int i = 0; i < n; i++) for (int j = 0; j < k; j++) m[i * k + j] = cols[j * n + i];
    }

    /** Eigenvalues of a symmetric {@code [n, n]} matrix (destroyed); eigenvectors into the columns of {@code v}. */
    static double[] jacobiEigen(double[] a, int n, double[] v) {
        java.util.Arrays.fill(v, 0);
        for (int i = 0; i < n; i++) v[i * n + i] = 1;
        for (int sweep = 0; sweep < 100; sweep++) {
            double off = 0, diag = 0;
            for (int i = 0; i < n; i++) {
                diag += a[i * n + i] * a[i * n + i];
                for (int j = i + 1; j < n; j++) off += a[i * n + j] * a[i * n + j];
            }
            if (off <= 1e-22 * Math.max(diag, 1e-300)) break;
            for (int p = 0; p < n; p++) {
                for (int q = p + 1; q < n; q++) {
                    double apq = a[p * n + q];
                    if (Math.abs(apq) < 1e-300) continue;
                    double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) t = 1;
                    double c = 1 / Math.sqrt(t * t + 1), s = t * c;
                    for (int k = 0; k < n; k++) { // rotate columns p, q
                        double akp = a[k * n + p], akq = a[k * n + q];
                        a[k * n + p] = c * akp - s * akq;
                        a[k * n + q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++) { // rotate rows p, q
                        double apk = a[p * n + k], aqk = a[q * n + k];
                        a[p * n + k] = c * apk - s * aqk;
                        a[q * n + k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < n; k++) {
                        double vkp = v[k * n + p], vkq = v[k * n + q];
                        v[k * n + p] = c * vkp - s * vkq;
                        v[k * n + q] = s * vkp + c * vkq;
                    }
                }
            }
        }
        double[] values = new double[n];
        for (int i = 0; i < n; i++) values[i] = a[i * n + i];
        return values;
    }
}

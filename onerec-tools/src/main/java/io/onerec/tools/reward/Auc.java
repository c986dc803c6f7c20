package io.onerec.tools.reward;

import java.util.Arrays;

/** Area under the ROC curve of scores against binary labels (ties count one half), by rank sums. */
public final class Auc {
    private Auc() {
    }

    /** AUC, or NaN when the labels are all equal. */
    public static double of(double[] scores, boolean[] positive) {
        if (scores.length != positive.length) throw new IllegalArgumentException(scores.length + " scores, " + positive.length + " labels");
        int n = scores.length;
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) idx[i] = i;
        Arrays.sort(idx, (a, b) -> Double.compare(scores[a], scores[b]));
        double rankSumPos = 0;
        long pos = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && scores[idx[j + 1]] == scores[idx[i]]) j++;
            double avgRank = (i + j) / 2.0 + 1;
            for (int t = i; t <= j; t++) {
                if (positive[idx[t]]) {
                    rankSumPos += avgRank;
                    pos++;
                }
            }
            i = j + 1;
        }
        long neg = n - pos;
        if (pos == 0 || neg == 0) return Double.NaN;
        return (rankSumPos - pos * (pos + 1) / 2.0) / ((double) pos * neg);
    }
}

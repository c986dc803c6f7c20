package io.onerec.tools.eval;

import io.onerec.api.ItemPrior;
import io.onerec.tools.data.NextItemExample;

import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * How well a distillation teacher's evidence ranks the item that came next, on training pairs (through
 * {@link ItemPrior#evidenceForTraining}, what the generator is taught) or on held-out pairs (through
 * {@link ItemPrior#evidence}, what the teacher would say about a new user). A teacher that ranks training pairs
 * far better than held-out ones recalls what it was trained on rather than predicting it: a transition table with
 * leave-one-out does not, a SASRec scoring its own training sequences does (docs/generator-quality.md, thirteenth
 * session). Only the evidence is ranked (the background is left out), ties by item index.
 *
 * @param examples     pairs measured
 * @param recall       share of pairs whose next item is in the evidence's top {@code k}
 * @param ndcg         NDCG at {@code k} (one relevant item)
 * @param targetShare  mean share of the evidence's weight on the next item
 */
public record PriorRanking(int examples, int k, double recall, double ndcg, double targetShare) {

    public static PriorRanking measure(ItemPrior prior, List<NextItemExample> examples, boolean training, int k) {
        if (k < 1) throw new IllegalArgumentException("k must be >= 1, got " + k);
        if (examples.isEmpty()) throw new IllegalArgumentException("no examples to measure");
        double hits = 0, gain = 0, share = 0;
        for (NextItemExample e : examples) {
            ItemPrior.Evidence ev = training ? prior.evidenceForTraining(e.history(), e.target()) : prior.evidence(e.history());
            int n = ev.size();
            double total = 0, onTarget = 0;
            Integer[] order = new Integer[n];
            for (int i = 0; i < n; i++) {
                order[i] = i;
                total += ev.weight(i);
                if (ev.item(i) == e.target()) onTarget += ev.weight(i);
            }
            Arrays.sort(order, Comparator.<Integer>comparingDouble(ev::weight).reversed().thenComparingInt(ev::item));
            for (int r = 0; r < Math.min(k, n); r++) {
                if (ev.item(order[r]) == e.target()) {
                    hits++;
                    gain += 1 / (Math.log(r + 2) / Math.log(2));
                    break;
                }
            }
            if (total > 0) share += onTarget / total;
        }
        int m = examples.size();
        return new PriorRanking(m, k, hits / m, gain / m, share / m);
    }

    @Override
    public String toString() {
        return String.format(java.util.Locale.ROOT, "R@%d %.4f N@%d %.4f next-item share %.4f (%d pairs)", k, recall, k, ndcg, targetShare, examples);
    }
}

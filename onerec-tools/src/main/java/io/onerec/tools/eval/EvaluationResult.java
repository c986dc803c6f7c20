package io.onerec.tools.eval;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Mean Recall@K and NDCG@K of one evaluation run.
 *
 * @param set    which part was evaluated, e.g. "validation" or "test"
 * @param users  number of users (examples) evaluated
 * @param recall K -> mean Recall@K, ascending K
 * @param ndcg   K -> mean NDCG@K, ascending K
 */
public record EvaluationResult(String set, long users, SortedMap<Integer, Double> recall, SortedMap<Integer, Double> ndcg) {
    public EvaluationResult {
        recall = Collections.unmodifiableSortedMap(new TreeMap<>(recall));
        ndcg = Collections.unmodifiableSortedMap(new TreeMap<>(ndcg));
    }

    static EvaluationResult of(String set, RankingMetrics m) {
        SortedMap<Integer, Double> r = new TreeMap<>(), n = new TreeMap<>();
        for (int k : m.ks()) {
            r.put(k, m.recall(k));
            n.put(k, m.ndcg(k));
        }
        return new EvaluationResult(set, m.count(), r, n);
    }

    public double recall(int k) {
        return get(recall, k);
    }

    public double ndcg(int k) {
        return get(ndcg, k);
    }

    private static double get(Map<Integer, Double> m, int k) {
        Double v = m.get(k);
        if (v == null) throw new IllegalArgumentException("K=" + k + " was not evaluated; cutoffs are " + m.keySet());
        return v;
    }

    /** Metrics keyed like "recall@10", for {@link io.onerec.api.TrainingProgress#metrics()}. */
    public Map<String, Double> asMap() {
        Map<String, Double> out = new TreeMap<>();
        recall.forEach((k, v) -> out.put("recall@" + k, v));
        ndcg.forEach((k, v) -> out.put("ndcg@" + k, v));
        return out;
    }

    /** E.g. {@code test (22363 users): R@5=0.0387 N@5=0.0249 R@10=0.0605 N@10=0.0318}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(set).append(" (").append(users).append(" users):");
        for (int k : recall.keySet()) {
            sb.append(String.format(Locale.ROOT, " R@%d=%.4f N@%d=%.4f", k, recall.get(k), k, ndcg.get(k)));
        }
        return sb.toString();
    }
}

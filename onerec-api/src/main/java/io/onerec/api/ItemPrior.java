package io.onerec.api;

import java.util.Arrays;

/**
 * A second opinion on which item a user takes next, from a model other than the generator (an item-to-item
 * transition table, a co-visitation index, a business score). {@link PriorFusion} folds it into the constrained
 * beam search, the way speech recognisers fuse an external language model into their decoder ("shallow fusion"):
 * each expansion is scored by the generator's log-probability plus a weighted log-probability of the prior, so the
 * beam is steered towards items both agree on instead of being re-ranked after the fact.
 *
 * <p>The prior's distribution for one history is a mixture of sparse, history-dependent {@link Evidence} and a
 * dense, history-independent {@link #background(int)} (see {@link PriorFusion#backgroundShare()}), so that no item
 * the generator likes is ruled out because the prior never saw it.
 *
 * <p>Implementations must be thread-safe: one prior serves concurrent searches.
 */
public interface ItemPrior {

    /** The sparse evidence for what follows this history (may be empty). */
    Evidence evidence(UserHistory history);

    /**
     * The evidence a generator is trained against for the training pair (history -> next), when it is trained with
     * this prior fused in ({@link PriorFusion#normalized()}). A prior fitted on the same training data should leave
     * this pair's own occurrence out (leave-one-out): otherwise it has always seen the answer during training, never
     * at serving time, and the generator learns to trust it more than it deserves. Defaults to
     * {@link #evidence(UserHistory)}.
     */
    default Evidence evidenceForTraining(UserHistory history, int next) {
        return evidence(history);
    }

    /**
     * The history-independent weight of an item (e.g. its training popularity plus one), finite and positive. Only
     * ratios matter. Uniform unless overridden.
     */
    default double background(int item) {
        return 1.0;
    }

    /**
     * A mixture of two priors: each one's evidence normalised to sum 1, then weighted {@code 1 - share} and
     * {@code share}; the background is the first prior's.
     */
    static ItemPrior mixture(ItemPrior first, ItemPrior second, double share) {
        if (!(share >= 0 && share <= 1)) throw new IllegalArgumentException("mixture share must be in [0, 1], got " + share);
        return new ItemPrior() {
            @Override
            public Evidence evidence(UserHistory history) {
                return mix(first.evidence(history), second.evidence(history));
            }

            @Override
            public Evidence evidenceForTraining(UserHistory history, int next) {
                return mix(first.evidenceForTraining(history, next), second.evidenceForTraining(history, next));
            }

            @Override
            public double background(int item) {
                return first.background(item);
            }

            private Evidence mix(Evidence a, Evidence b) {
                java.util.Map<Integer, Double> w = new java.util.LinkedHashMap<>();
                add(w, a, 1 - share);
                add(w, b, share);
                int[] items = new int[w.size()];
                double[] weights = new double[w.size()];
                int k = 0;
                for (var e : w.entrySet()) {
                    items[k] = e.getKey();
                    weights[k++] = e.getValue();
                }
                return new Evidence(items, weights);
            }

            private void add(java.util.Map<Integer, Double> w, Evidence e, double scale) {
                double total = 0;
                for (int i = 0; i < e.size(); i++) total += e.weight(i);
                if (total == 0 || scale == 0) return;
                for (int i = 0; i < e.size(); i++) w.merge(e.item(i), scale * e.weight(i) / total, Double::sum);
            }
        };
    }

    /**
     * Items and their non-negative weights for one history; weights need not sum to one (only ratios matter). An item
     * may appear once at most.
     */
    record Evidence(int[] items, double[] weights) {
        private static final Evidence EMPTY = new Evidence(new int[0], new double[0]);

        public Evidence {
            if (items == null || weights == null) throw new IllegalArgumentException("evidence items and weights must not be null");
            if (items.length != weights.length) {
                throw new IllegalArgumentException("evidence has " + items.length + " items but " + weights.length + " weights");
            }
            for (int i = 0; i < items.length; i++) {
                if (items[i] < 0) throw new IllegalArgumentException("evidence item " + items[i] + " is negative");
                double w = weights[i];
                if (!(w >= 0) || Double.isInfinite(w)) {
                    throw new IllegalArgumentException("evidence weight " + w + " of item " + items[i] + " is not a finite non-negative number");
                }
            }
            items = items.clone();
            weights = weights.clone();
        }

        public static Evidence empty() {
            return EMPTY;
        }

        public int size() {
            return items.length;
        }

        public int item(int i) {
            return items[i];
        }

        public double weight(int i) {
            return weights[i];
        }

        @Override
        public int[] items() {
            return items.clone();
        }

        @Override
        public double[] weights() {
            return weights.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Evidence e && Arrays.equals(items, e.items) && Arrays.equals(weights, e.weights);
        }

        @Override
        public int hashCode() {
            return 31 * Arrays.hashCode(items) + Arrays.hashCode(weights);
        }

        @Override
        public String toString() {
            return "Evidence[" + items.length + " items]";
        }
    }
}

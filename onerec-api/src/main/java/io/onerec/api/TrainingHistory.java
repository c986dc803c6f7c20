package io.onerec.api;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What a training run did, epoch by epoch (for loss and validation curves); {@link TrainingProgress} is the live
 * view, this is the record kept afterwards.
 *
 * @param epochs the epochs in the order they ran
 */
public record TrainingHistory(List<Epoch> epochs) {
    public TrainingHistory {
        epochs = List.copyOf(epochs);
        for (int i = 1; i < epochs.size(); i++) {
            if (epochs.get(i).epoch() <= epochs.get(i - 1).epoch()) {
                throw new IllegalArgumentException("epochs must ascend, got epoch " + epochs.get(i).epoch()
                        + " after epoch " + epochs.get(i - 1).epoch());
            }
        }
    }

    /**
     * One finished epoch.
     *
     * @param epoch      1-based epoch number
     * @param step       optimiser steps done when the epoch ended (counted from the start of the run)
     * @param batches    batches the epoch trained on (fewer than a full epoch when a time budget cut it short)
     * @param meanLoss   mean training loss over those batches
     * @param validation validation metrics after this epoch (e.g. "recall@10"), empty when it was not validated
     * @param elapsed    training time from the start of the run to the end of this epoch (validation included)
     */
    public record Epoch(int epoch, long step, int batches, double meanLoss, Map<String, Double> validation, Duration elapsed) {
        public Epoch {
            if (epoch < 1) throw new IllegalArgumentException("epoch must be >= 1, got " + epoch);
            if (step < 0) throw new IllegalArgumentException("step must be >= 0, got " + step);
            if (batches < 0 || batches > step) {
                throw new IllegalArgumentException("batches must be in [0, step=" + step + "], got " + batches);
            }
            Objects.requireNonNull(elapsed, "elapsed");
            // Sorted, so that tables and legends list the metrics in the same order every time.
            validation = Collections.unmodifiableMap(new TreeMap<>(validation));
        }

        public boolean validated() {
            return !validation.isEmpty();
        }
    }

    public static TrainingHistory empty() {
        return new TrainingHistory(List.of());
    }

    /** This history with {@code epoch} appended. */
    public TrainingHistory with(Epoch epoch) {
        List<Epoch> all = new ArrayList<>(epochs);
        all.add(epoch);
        return new TrainingHistory(all);
    }

    public boolean isEmpty() {
        return epochs.isEmpty();
    }

    /** The names of all validation metrics that occur, sorted. */
    public SortedSet<String> metricNames() {
        SortedSet<String> names = new TreeSet<>();
        for (Epoch e : epochs) names.addAll(e.validation().keySet());
        return Collections.unmodifiableSortedSet(names);
    }
}

package io.onerec.api;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class TrainingHistoryTest {
    private static TrainingHistory.Epoch epoch(int n, Map<String, Double> validation) {
        return new TrainingHistory.Epoch(n, 100L * n, 100, 5.0 / n, validation, Duration.ofSeconds(10L * n));
    }

    @Test
    void withAppendsAndLeavesTheOriginalAlone() {
        TrainingHistory one = TrainingHistory.empty().with(epoch(1, Map.of()));
        TrainingHistory two = one.with(epoch(2, Map.of("recall@10", 0.1)));
        assertEquals(1, one.epochs().size());
        assertEquals(List.of(1, 2), two.epochs().stream().map(TrainingHistory.Epoch::epoch).toList());
        assertFalse(two.epochs().getFirst().validated());
        assertTrue(two.epochs().getLast().validated());
    }

    @Test
    void metricNamesAreTheSortedUnionOverEpochs() {
        TrainingHistory h = new TrainingHistory(List.of(epoch(1, Map.of("recall@10", 0.1)),
                epoch(2, Map.of()), epoch(3, Map.of("ndcg@10", 0.05, "recall@10", 0.2))));
        assertEquals(List.of("ndcg@10", "recall@10"), List.copyOf(h.metricNames()));
        assertEquals(List.of("ndcg@10", "recall@10"), List.copyOf(h.epochs().get(2).validation().keySet()));
    }

    @Test
    void rejectsEpochsOutOfOrderAndBadValues() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> new TrainingHistory(List.of(epoch(2, Map.of()), epoch(2, Map.of()))));
        assertTrue(e.getMessage().contains("epoch 2 after epoch 2"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> epoch(0, Map.of()));
        assertThrows(IllegalArgumentException.class,
                () -> new TrainingHistory.Epoch(1, -1, 1, 1.0, Map.of(), Duration.ZERO));
        var batches = assertThrows(IllegalArgumentException.class,
                () -> new TrainingHistory.Epoch(1, 10, 11, 1.0, Map.of(), Duration.ZERO));
        assertTrue(batches.getMessage().contains("batches must be in [0, step=10], got 11"), batches.getMessage());
    }
}

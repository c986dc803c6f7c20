package io.onerec.libtorch.baseline;

import io.onerec.api.ItemPrior;
import io.onerec.api.UserHistory;
import io.onerec.libtorch.Torch;
import io.onerec.tools.data.UserFolds;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class SasRecPriorTest {
    private static final int ITEMS = 60;
    private static SasRecModel model;

    @BeforeAll
    static void model() {
        assumeTrue(Torch.load() == null, "libtorch natives unavailable: " + Torch.load());
        model = SasRecModel.initialize(new SasRecConfig(ITEMS, 16, 1, 1, 32, 8, 0.2), 7);
    }

    /** The model's own softmax over the catalog after {@code history}, with the history's items removed if asked. */
    private static double[] softmax(int[] history, boolean excludeHistory) {
        float[] scores;
        try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
            scores = Torch.toFloats(model.scoreAll(List.of(history)));
        }
        double[] p = new double[ITEMS];
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int i = 0; i < ITEMS; i++) max = Math.max(max, scores[i]);
        for (int i = 0; i < ITEMS; i++) {
            p[i] = Math.exp(scores[i] - max);
            sum += p[i];
        }
        for (int i = 0; i < ITEMS; i++) p[i] /= sum;
        if (excludeHistory) {
            for (int item : history) p[item] = 0;
            double kept = Arrays.stream(p).sum();
            for (int i = 0; i < ITEMS; i++) p[i] /= kept;
        }
        return p;
    }

    @Test
    void evidenceIsTheModelsSoftmaxCutToTheTopItems() {
        int[] history = {3, 5, 7, 3};
        for (boolean exclude : new boolean[]{false, true}) {
            ItemPrior.Evidence e = new SasRecPrior(model, 10, 1.0, exclude).evidence(new UserHistory(1, history));
            double[] p = softmax(history, exclude);
            assertEquals(10, e.size());
            // The same top items, in order, as SASRec's own recommendation list (masked or not).
            int[] ranked = new SasRecRecommender(model, exclude).recommend(List.of(new UserHistory(1, history)), 10).getFirst();
            assertArrayEquals(ranked, e.items(), "exclude history " + exclude);
            for (int i = 0; i < e.size(); i++) {
                int item = e.item(i);
                assertEquals(p[item], e.weight(i), 1e-5, "weight of item " + item);
                if (exclude) assertFalse(Arrays.stream(history).anyMatch(h -> h == item), "history item " + item + " in evidence");
            }
        }
    }

    @Test
    void everyHistoryItemIsLeftOutNotOnlyThoseSasRecReads() {
        int[] history = {40, 41, 42, 43, 1, 2, 3, 4, 5, 6, 7, 8}; // maxLength 8: SASRec reads the last 8
        ItemPrior.Evidence e = new SasRecPrior(model, ITEMS, 1.0, true).evidence(new UserHistory(1, history));
        assertEquals(ITEMS - history.length, e.size());
        for (int item : e.items()) {
            assertFalse(Arrays.stream(history).anyMatch(h -> h == item), "history item " + item + " in evidence");
        }
    }

    @Test
    void temperatureFlattensTheDistribution() {
        UserHistory h = new UserHistory(1, new int[]{1, 2});
        ItemPrior.Evidence sharp = new SasRecPrior(model, ITEMS, 1.0, false).evidence(h);
        ItemPrior.Evidence flat = new SasRecPrior(model, ITEMS, 4.0, false).evidence(h);
        assertArrayEquals(sharp.items(), flat.items(), "a temperature keeps the order");
        assertTrue(flat.weight(0) < sharp.weight(0), "the top item loses mass at a higher temperature");
        assertEquals(1.0, Arrays.stream(flat.weights()).sum(), 1e-5, "all items kept: the weights are a distribution");
    }

    @Test
    void precomputedEvidenceEqualsEvidenceComputedOneByOne() {
        Random rnd = new Random(3);
        List<UserHistory> histories = new ArrayList<>();
        for (int u = 0; u < 40; u++) {
            int[] items = new int[1 + rnd.nextInt(12)]; // some longer than maxLength 8: the last 8 count
            for (int i = 0; i < items.length; i++) items[i] = rnd.nextInt(ITEMS);
            histories.add(new UserHistory(u, items));
        }
        SasRecPrior batched = new SasRecPrior(model, 15, 1.0, true);
        batched.precompute(histories, 16);
        assertTrue(batched.cachedHistories() <= histories.size() && batched.cachedHistories() > 30);
        SasRecPrior single = new SasRecPrior(model, 15, 1.0, true);
        for (UserHistory h : histories) {
            ItemPrior.Evidence a = batched.evidence(h), b = single.evidence(h);
            assertEquals(b.size(), a.size());
            for (int i = 0; i < a.size(); i++) {
                assertEquals(b.weight(i), a.weight(i), 1e-5);
                // Near-ties may swap between the two paths; the weights at each rank agree regardless.
                if (Math.abs(b.weight(i) - a.weight(i)) < 1e-7) assertEquals(b.item(i), a.item(i));
            }
            assertEquals(a, batched.evidenceForTraining(h, 0), "no leave-one-out: SASRec saw the pair in training");
        }
    }

    @Test
    void crossFittedPriorAnswersEachUserWithTheModelThatNeverSawTheirFold() {
        SasRecModel other = SasRecModel.initialize(new SasRecConfig(ITEMS, 16, 1, 1, 32, 8, 0.2), 99);
        UserFolds folds = new UserFolds(2, 0);
        SasRecPrior crossFitted = SasRecPrior.crossFitted(List.of(model, other), folds, 12, 1.0, true);
        SasRecPrior first = new SasRecPrior(model, 12, 1.0, true), second = new SasRecPrior(other, 12, 1.0, true);
        int[] items = {4, 9, 2};
        long user0 = -1, user1 = -1;
        for (long u = 0; user0 < 0 || user1 < 0; u++) {
            if (folds.of(u) == 0 && user0 < 0) user0 = u;
            if (folds.of(u) == 1 && user1 < 0) user1 = u;
        }
        // The same items from users of different folds: two answers, not one cached for both.
        UserHistory a = new UserHistory(user0, items), b = new UserHistory(user1, items);
        crossFitted.precompute(List.of(a, b), 8);
        assertEquals(2, crossFitted.cachedHistories());
        assertArrayEquals(first.evidence(a).items(), crossFitted.evidence(a).items());
        assertArrayEquals(second.evidence(b).items(), crossFitted.evidence(b).items());
        assertFalse(Arrays.equals(crossFitted.evidence(a).items(), crossFitted.evidence(b).items()), "two models, two lists");
        for (int i = 0; i < 12; i++) assertEquals(second.evidence(b).weight(i), crossFitted.evidenceForTraining(b, 0).weight(i), 1e-5);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SasRecPrior.crossFitted(List.of(model), folds, 12, 1.0, true));
        assertTrue(e.getMessage().contains("one model per fold"), e.getMessage());
    }

    @Test
    void unknownItemsAndBadSettingsAreRefused() {
        SasRecPrior prior = new SasRecPrior(model, 5, 1.0, true);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> prior.evidence(new UserHistory(9, new int[]{1, ITEMS})));
        assertTrue(e.getMessage().contains("outside the catalog"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SasRecPrior(model, 0, 1.0, true));
        assertThrows(IllegalArgumentException.class, () -> new SasRecPrior(model, 5, 0, true));
        assertThrows(IllegalArgumentException.class, () -> prior.precompute(List.of(), 0));
    }
}

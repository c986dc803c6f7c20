package io.onerec.api.generator;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The heap selection of beam candidates must equal a stable sort by score (ties: generation order). */
class CandidatesSelectionTest {

    @Test
    void heapSelectionEqualsStableSortIncludingTies() {
        Random r = new Random(1);
        for (int trial = 0; trial < 300; trial++) {
            ConstrainedBeamSearch.Candidates c = new ConstrainedBeamSearch.Candidates();
            int size = r.nextInt(200);
            for (int i = 0; i < size; i++) {
                // Few distinct values, so ties are common; an occasional -inf.
                double s = r.nextInt(10) == 0 ? Double.NEGATIVE_INFINITY : -r.nextInt(6) * 0.5;
                c.add(s, i / 7, i % 7, 0, 0);
            }
            int b = 1 + r.nextInt(40);
            Integer[] expected = new Integer[size];
            for (int i = 0; i < size; i++) expected[i] = i;
            Arrays.sort(expected, (x, y) -> Double.compare(c.score[y], c.score[x]));
            int kept = c.selectTop(b);
            assertEquals(Math.min(b, size), kept);
            int[] want = Arrays.stream(expected).limit(kept).mapToInt(Integer::intValue).toArray();
            assertArrayEquals(want, Arrays.copyOf(c.order, kept), "trial " + trial);
        }
    }
}

package io.onerec.tools.data;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UserFoldsTest {
    @Test
    void everyUserHasOneFoldAndFoldsAreAboutEven() {
        UserFolds folds = new UserFolds(3, 0);
        int[] sizes = new int[3];
        for (int u = 0; u < 30_000; u++) {
            int f = folds.of(u);
            assertEquals(f, folds.of(u), "the same user, the same fold");
            sizes[f]++;
        }
        for (int s : sizes) assertTrue(Math.abs(s - 10_000) < 400, "fold sizes " + java.util.Arrays.toString(sizes));
    }

    @Test
    void theSeedChoosesTheSplit() {
        UserFolds a = new UserFolds(2, 0), b = new UserFolds(2, 1);
        int differ = 0;
        for (int u = 0; u < 1_000; u++) if (a.of(u) != b.of(u)) differ++;
        assertTrue(differ > 400 && differ < 600, differ + " of 1,000 users changed fold");
        assertNotEquals(0, differ);
    }

    @Test
    void badFoldsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new UserFolds(1, 0));
        UserFolds folds = new UserFolds(2, 0);
        assertThrows(IllegalArgumentException.class, () -> folds.checkFold(2));
        assertThrows(IllegalArgumentException.class, () -> folds.checkFold(-1));
        assertEquals(1, folds.checkFold(1));
    }
}

package io.onerec.tools.sim;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class FeedbackSimulatorTest {
    final FeedbackSimulator world = new FeedbackSimulator(FeedbackSimulator.Config.of(200, 100, 3));

    @Test
    void isReproducibleFromItsSeed() {
        FeedbackSimulator again = new FeedbackSimulator(FeedbackSimulator.Config.of(200, 100, 3));
        for (int u = 0; u < 200; u += 37) {
            assertArrayEquals(world.history(u).items(), again.history(u).items());
            assertArrayEquals(world.itemProbabilities(u, 5), again.itemProbabilities(u, 5));
        }
    }

    @Test
    void historiesFollowTasteAndLabelsFollowProbabilities() {
        double inHistory = 0, overall = 0;
        for (int u = 0; u < 200; u++) {
            for (int i : world.history(u).items()) inHistory += world.affinity(u, i) / world.history(u).length();
            for (int i = 0; i < 100; i++) overall += world.affinity(u, i) / 100;
        }
        assertTrue(inHistory / 200 > overall / 200 + 0.8, "history affinity " + inHistory / 200 + " vs catalog " + overall / 200);

        List<LoggedSession> logs = world.logSessions(20000, 2, 0, 200, new Random(1));
        for (int k = 0; k < 4; k++) {
            double p = 0, y = 0;
            for (LoggedSession s : logs) {
                p += s.probability(k);
                y += s.label(k);
                assertEquals(s.probability(k), world.sessionProbabilities((int) s.user().userId(), s.items())[k], 1e-12);
            }
            assertEquals(p / logs.size(), y / logs.size(), 0.02, "label rate of " + FeedbackSimulator.OBJECTIVES.get(k));
        }
    }

    @Test
    void rejectsUnknownUsersAndItems() {
        assertThrows(IllegalArgumentException.class, () -> world.history(200));
        assertThrows(IllegalArgumentException.class, () -> world.itemProbabilities(0, 100));
        assertThrows(IllegalArgumentException.class, () -> world.logSessions(1, 2, 150, 250, new Random(1)));
    }
}

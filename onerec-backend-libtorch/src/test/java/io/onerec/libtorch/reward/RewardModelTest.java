package io.onerec.libtorch.reward;

import io.onerec.api.RewardModel;
import io.onerec.api.RewardScores;
import io.onerec.tools.reward.Auc;
import io.onerec.tools.sim.FeedbackSimulator;
import io.onerec.tools.sim.LoggedSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class RewardModelTest {
    static List<LoggedSession> heldOut;
    static TorchRewardModel trained;

    @BeforeAll
    static void train() {
        RewardFixture f = RewardFixture.train();
        heldOut = f.heldOut();
        trained = f.trained();
    }

    /**
     * AUC per tower of the model's probabilities against the simulator's ground truth: a session is positive for a
     * tower when its true probability is above that tower's median over the held-out sessions (drawn labels are
     * too noisy to separate a good model from a perfect one: even the true probabilities reach only ~0.75 on them).
     */
    static double[] aucPerTower(RewardModel model, List<LoggedSession> sessions) {
        int k = model.objectives().size();
        double[][] scores = new double[k][sessions.size()];
        boolean[][] labels = new boolean[k][sessions.size()];
        for (int i = 0; i < sessions.size(); i++) {
            LoggedSession s = sessions.get(i);
            RewardScores r = model.score(s.user(), List.of(s.items()));
            for (int o = 0; o < k; o++) {
                scores[o][i] = r.perObjective()[0][o];
            }
        }
        for (int o = 0; o < k; o++) {
            double[] truth = new double[sessions.size()];
            for (int i = 0; i < truth.length; i++) truth[i] = sessions.get(i).probability(o);
            double median = median(truth);
            for (int i = 0; i < truth.length; i++) labels[o][i] = truth[i] > median;
        }
        double[] auc = new double[k];
        for (int o = 0; o < k; o++) auc[o] = Auc.of(scores[o], labels[o]);
        return auc;
    }

    static double median(double[] x) {
        double[] c = x.clone();
        java.util.Arrays.sort(c);
        return c[c.length / 2];
    }

    /** AUC of the true probabilities against the drawn labels: the ceiling of any model on logged data. */
    static double[] oracleAuc(List<LoggedSession> sessions) {
        int k = FeedbackSimulator.OBJECTIVES.size();
        double[] auc = new double[k];
        for (int o = 0; o < k; o++) {
            double[] s = new double[sessions.size()];
            boolean[] y = new boolean[sessions.size()];
            for (int i = 0; i < s.length; i++) {
                s[i] = sessions.get(i).probability(o);
                y[i] = sessions.get(i).label(o) > 0.5f;
            }
            auc[o] = Auc.of(s, y);
        }
        return auc;
    }

    @Test
    void learnsTheSimulatorsFeedbackOnHeldOutUsers() {
        double[] auc = aucPerTower(trained, heldOut);
        double[] oracle = oracleAuc(heldOut);
        double[] untrained = aucPerTower(TorchRewardModel.initialize(trained.config(), null, 99), heldOut);
        System.out.printf("AUC per tower %s vs ground truth: trained %s, untrained %s; true probabilities vs drawn labels %s%n", trained.objectives(),
                java.util.Arrays.toString(auc), java.util.Arrays.toString(untrained), java.util.Arrays.toString(oracle));
        for (int o = 0; o < auc.length; o++) {
            assertTrue(auc[o] > 0.7, trained.objectives().get(o) + " AUC " + auc[o]);
            assertTrue(untrained[o] < 0.65, "an untrained tower should not rank: " + untrained[o]);
        }
    }
}

package io.onerec.tools.reward;

import io.onerec.api.GeneratedSession;
import io.onerec.api.DecodingOptions;
import io.onerec.api.Generator;
import io.onerec.api.RewardModel;
import io.onerec.api.RewardScores;
import io.onerec.api.UserHistory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reward of generated sessions, as in OneRec Table 1: for every user the generator decodes {@code beamWidth}
 * sessions; "mean" averages each objective's probability over all of them, "max" averages over users the best
 * session's probability. The fused reward is reported the same way.
 *
 * @param objectives    tower names
 * @param mean          [objective] mean probability over all generated sessions
 * @param max           [objective] mean over users of the per-user maximum
 * @param fusedMean     mean fused reward
 * @param fusedMax      mean over users of the best fused reward
 * @param users         users evaluated
 */
public record GeneratedRewardReport(List<String> objectives, double[] mean, double[] max, double fusedMean, double fusedMax, int users) {

    public static GeneratedRewardReport evaluate(Generator generator, RewardModel reward, List<UserHistory> users, DecodingOptions config) {
        if (users.isEmpty()) throw new IllegalArgumentException("no users to evaluate");
        int k = reward.objectives().size();
        double[] mean = new double[k], max = new double[k];
        double fusedMean = 0, fusedMax = 0;
        long sessions = 0;
        List<List<GeneratedSession>> generated = generator.generateBatch(users, config);
        for (int u = 0; u < users.size(); u++) {
            List<int[]> items = new ArrayList<>();
            for (GeneratedSession s : generated.get(u)) items.add(s.items());
            if (items.isEmpty()) throw new IllegalStateException("generator returned no session for user " + users.get(u).userId());
            RewardScores r = reward.score(users.get(u), items);
            double[] userMax = new double[k];
            java.util.Arrays.fill(userMax, Double.NEGATIVE_INFINITY);
            double userFusedMax = Double.NEGATIVE_INFINITY;
            for (int s = 0; s < r.sessions(); s++) {
                for (int o = 0; o < k; o++) {
                    mean[o] += r.perObjective()[s][o];
                    userMax[o] = Math.max(userMax[o], r.perObjective()[s][o]);
                }
                fusedMean += r.fused()[s];
                userFusedMax = Math.max(userFusedMax, r.fused()[s]);
                sessions++;
            }
            for (int o = 0; o < k; o++) max[o] += userMax[o];
            fusedMax += userFusedMax;
        }
        for (int o = 0; o < k; o++) {
            mean[o] /= sessions;
            max[o] /= users.size();
        }
        return new GeneratedRewardReport(reward.objectives(), mean, max, fusedMean / sessions, fusedMax / users.size(), users.size());
    }

    public Map<String, Double> asMap() {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int o = 0; o < objectives.size(); o++) {
            m.put(objectives.get(o) + "/mean", mean[o]);
            m.put(objectives.get(o) + "/max", max[o]);
        }
        m.put("fused/mean", fusedMean);
        m.put("fused/max", fusedMax);
        return m;
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        for (int o = 0; o < objectives.size(); o++) {
            b.append(String.format("%s mean=%.4f max=%.4f  ", objectives.get(o), mean[o], max[o]));
        }
        return b.append(String.format("fused mean=%.4f max=%.4f (%d users)", fusedMean, fusedMax, users)).toString();
    }
}

package io.onerec.cpu.reward;

import io.onerec.api.RewardScores;
import io.onerec.api.UserHistory;
import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.api.checkpoint.HostTensor;
import io.onerec.api.reward.RewardModelConfig;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The pure-Java scorer against the math of docs/reward-model.md, on weights chosen so it can be done by hand. */
class CpuRewardModelTest {
    // d = 2, three items, one objective "like" with a 2-unit tower.
    static final float[] EMBEDDING = {1, 0, 0, 2, 3, 1};

    static Map<String, HostTensor> weights(boolean valueIdentity) {
        RewardModelConfig cfg = config();
        Map<String, HostTensor> t = new LinkedHashMap<>();
        for (var e : cfg.parameterShapes().entrySet()) {
            long n = 1;
            for (long s : e.getValue()) n *= s;
            t.put(e.getKey(), HostTensor.of(new float[(int) n], e.getValue()));
        }
        t.put("item_embedding", HostTensor.of(EMBEDDING, 3, 2));
        float[] identity = {1, 0, 0, 1};
        if (valueIdentity) {
            t.put("target_attn.v.weight", HostTensor.of(identity, 2, 2));
            t.put("target_attn.o.weight", HostTensor.of(identity, 2, 2));
        }
        t.put("towers.like.fc1.weight", HostTensor.of(identity, 2, 2));
        t.put("towers.like.fc2.weight", HostTensor.of(new float[]{1, 1}, 1, 2));
        t.put("towers.like.fc2.bias", HostTensor.of(new float[]{-3}, 1));
        return t;
    }

    static RewardModelConfig config() {
        return new RewardModelConfig(3, 2, 10, List.of("like"), 2, RewardModelConfig.Fusion.WEIGHTED, new double[]{0.5}, 0);
    }

    static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    @Test
    void matchesTheDocumentedMathByHand() {
        // Attention weights zero: x_j = c_j, f = sum of session embeddings. Session {0, 1}: f = (1, 2), z = 1 + 2 - 3 = 0.
        CpuRewardModel plain = new CpuRewardModel(config(), weights(false));
        RewardScores r = plain.score(new UserHistory(1, new int[]{2}), List.of(new int[]{0, 1}, new int[]{2}));
        assertEquals(0.5, r.perObjective()[0][0], 1e-6);
        assertEquals(0.25, r.fused()[0], 1e-6);
        // Session {2}: f = (3, 1), z = 1, p = sigmoid(1).
        assertEquals(sigmoid(1), r.perObjective()[1][0], 1e-6);

        // Target attention with zero scores: softmax over {null, history} is uniform, ta = sum_t e_t / (L + 1).
        // History {1, 2}: ta = ((0,2) + (3,1)) / 3 = (1, 1). Session {0}: x = (1,0) + (1,1) = (2,1), z = 3 - 3 = 0.
        CpuRewardModel attending = new CpuRewardModel(config(), weights(true));
        assertEquals(0.5, attending.score(new UserHistory(1, new int[]{1, 2}), List.<int[]>of(new int[]{0})).perObjective()[0][0], 1e-6);
        // Empty history: only the null slot, ta = 0, same as no attention: session {2} gives sigmoid(1).
        assertEquals(sigmoid(1), attending.score(new UserHistory(1, new int[0]), List.<int[]>of(new int[]{2})).perObjective()[0][0], 1e-6);
    }

    @Test
    void rejectsWrongShapesAndUnknownItems() {
        Map<String, HostTensor> bad = weights(false);
        bad.put("self_attn.q.weight", HostTensor.of(new float[6], 3, 2));
        assertTrue(assertThrows(CheckpointException.class, () -> new CpuRewardModel(config(), bad)).getMessage().contains("self_attn.q.weight"));
        CpuRewardModel m = new CpuRewardModel(config(), weights(false));
        var e = assertThrows(IllegalArgumentException.class, () -> m.score(new UserHistory(1, new int[]{3}), List.<int[]>of(new int[]{0})));
        assertTrue(e.getMessage().contains("unknown item 3"), e.getMessage());
    }
}

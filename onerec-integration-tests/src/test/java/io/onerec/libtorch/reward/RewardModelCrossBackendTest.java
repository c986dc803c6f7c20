package io.onerec.libtorch.reward;

import io.onerec.api.RewardModel;
import io.onerec.api.RewardScores;
import io.onerec.api.UserHistory;
import io.onerec.api.checkpoint.Checkpoint;
import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.api.reward.RewardModelConfig;
import io.onerec.tools.sim.FeedbackSimulator;
import io.onerec.cpu.CpuBackend;
import io.onerec.cpu.reward.CpuRewardModel;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The LibTorch reward model against the pure-Java one: same scores, checkpoints that either backend writes and the
 * other reads, the same errors. The LibTorch-only reward tests are in onerec-backend-libtorch's RewardModelTest.
 */
class RewardModelCrossBackendTest {
    static final int ITEMS = RewardFixture.ITEMS, TRAIN_USERS = RewardFixture.TRAIN_USERS;
    static FeedbackSimulator world;
    static TorchRewardModel trained;

    @BeforeAll
    static void train() {
        RewardFixture f = RewardFixture.train();
        world = f.world();
        trained = f.trained();
    }

    @Test
    void cpuScoresMatchLibTorch(@TempDir Path dir) {
        trained.save(dir);
        RewardModel cpu = new CpuBackend().loadRewardModel(dir);
        assertInstanceOf(CpuRewardModel.class, cpu);
        assertInstanceOf(TorchRewardModel.class, new io.onerec.libtorch.TorchBackend().loadRewardModel(dir));
        Random r = new Random(5);
        for (int u = 0; u < 20; u++) {
            UserHistory user = u == 0 ? new UserHistory(0, new int[0]) : world.history(TRAIN_USERS + u);
            List<int[]> sessions = new ArrayList<>();
            for (int s = 0; s < 6; s++) {
                int[] items = new int[1 + s % 4];
                for (int j = 0; j < items.length; j++) items[j] = r.nextInt(ITEMS);
                sessions.add(items);
            }
            RewardScores a = trained.score(user, sessions), b = cpu.score(user, sessions);
            for (int s = 0; s < sessions.size(); s++) {
                assertEquals(a.fused()[s], b.fused()[s], 1e-4, "fused score of session " + s + " of user " + u);
                for (int o = 0; o < a.objectives().size(); o++) {
                    assertEquals(a.perObjective()[s][o], b.perObjective()[s][o], 1e-4);
                }
            }
        }
    }

    @Test
    void checkpointRoundTripAndCorruption(@TempDir Path dir) throws IOException {
        Path a = dir.resolve("a"), b = dir.resolve("b");
        trained.save(a);
        TorchRewardModel back = TorchRewardModel.load(a);
        assertEquals(trained.config(), back.config());
        UserHistory user = world.history(550);
        List<int[]> sessions = List.of(new int[]{1, 2, 3}, new int[]{4});
        assertArrayEquals(trained.score(user, sessions).fused(), back.score(user, sessions).fused(), 0f);
        // CPU save writes the same checkpoint back.
        CpuRewardModel.load(a).save(b);
        assertArrayEquals(trained.score(user, sessions).fused(), TorchRewardModel.load(b).score(user, sessions).fused(), 0f);

        // Wrong kind.
        Path gen = dir.resolve("gen");
        Checkpoint.write(gen, "onerec-generator", trained.config().toJson(), trained.hostTensors());
        assertTrue(assertThrows(CheckpointException.class, () -> CpuRewardModel.load(gen)).getMessage().contains("onerec-reward"));
        // Missing tensor.
        var tensors = new java.util.LinkedHashMap<>(trained.hostTensors());
        tensors.remove("towers.like.fc1.bias");
        Path missing = dir.resolve("missing");
        Checkpoint.write(missing, RewardModelConfig.KIND, trained.config().toJson(), tensors);
        assertTrue(assertThrows(CheckpointException.class, () -> TorchRewardModel.load(missing)).getMessage().contains("towers.like.fc1.bias"));
        assertTrue(assertThrows(CheckpointException.class, () -> CpuRewardModel.load(missing)).getMessage().contains("towers.like.fc1.bias"));
        // Truncated weights.
        Path weights = b.resolve(Checkpoint.WEIGHTS_FILE);
        byte[] bytes = Files.readAllBytes(weights);
        Files.write(weights, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThrows(CheckpointException.class, () -> CpuRewardModel.load(b));
        // Config that does not match the weights.
        Path wrong = dir.resolve("wrong");
        Checkpoint.write(wrong, RewardModelConfig.KIND, RewardModelConfig.of(ITEMS + 1, 16).toJson(), trained.hostTensors());
        assertTrue(assertThrows(CheckpointException.class, () -> CpuRewardModel.load(wrong)).getMessage().contains("item_embedding"));
    }

    /**
     * Item bias and history feedback: the same scores on both backends (random item biases, histories with feedback,
     * without it, and empty), through a checkpoint; a checkpoint written without them still loads as before.
     */
    @Test
    void itemBiasAndHistoryFeedbackMatchAcrossBackends(@TempDir Path dir) {
        RewardModelConfig cfg = RewardModelConfig.of(ITEMS, 16).withFusion(RewardModelConfig.Fusion.MLP, new double[]{0.4, 0.1, 0.2, 0.3})
                .withItemBias(true).withHistoryFeedback(true);
        TorchRewardModel model = TorchRewardModel.initialize(cfg, null, 11);
        Random r = new Random(12);
        float[] bias = new float[ITEMS * cfg.objectiveCount()];
        for (int i = 0; i < bias.length; i++) bias[i] = (float) r.nextGaussian();
        model.overwrite(java.util.Map.of("item_bias", io.onerec.api.checkpoint.HostTensor.of(bias, ITEMS, cfg.objectiveCount())));
        model.save(dir);
        RewardModel cpu = new CpuBackend().loadRewardModel(dir);
        assertEquals(cfg, ((CpuRewardModel) cpu).config());
        for (int u = 0; u < 12; u++) {
            int[] items = world.history(TRAIN_USERS + u).items();
            float[] feedback = new float[items.length];
            for (int t = 0; t < feedback.length; t++) feedback[t] = u % 3 == 0 ? r.nextFloat() : r.nextInt(2);
            UserHistory user = u == 0 ? new UserHistory(0, new int[0])
                    : u % 4 == 1 ? new UserHistory(u, items) : new UserHistory(u, items, feedback);
            List<int[]> sessions = new ArrayList<>();
            for (int s = 0; s < 5; s++) {
                int[] session = new int[1 + s % 3];
                for (int j = 0; j < session.length; j++) session[j] = r.nextInt(ITEMS);
                sessions.add(session);
            }
            RewardScores a = model.score(user, sessions), b = cpu.score(user, sessions);
            for (int s = 0; s < sessions.size(); s++) {
                assertEquals(a.fused()[s], b.fused()[s], 1e-4, "fused score of session " + s + " of user " + u);
                for (int o = 0; o < a.objectives().size(); o++) assertEquals(a.perObjective()[s][o], b.perObjective()[s][o], 1e-4);
            }
        }
        // The feedback changes the score (the two feedback vectors are in use) and the item bias moves it by itself.
        int[] items = world.history(TRAIN_USERS).items();
        float[] liked = new float[items.length], disliked = new float[items.length];
        java.util.Arrays.fill(liked, 1f);
        List<int[]> one = List.of(new int[]{3});
        assertNotEquals(cpu.score(new UserHistory(1, items, liked), one).fused()[0],
                cpu.score(new UserHistory(1, items, disliked), one).fused()[0], 1e-6);
        // A config written before item bias and history feedback existed reads as the model without them.
        var old = RewardModelConfig.fromJson(io.onerec.api.checkpoint.JsonConfig.builder().put("item_count", ITEMS).put("d_model", 16)
                .put("max_history", 20).put("objectives", List.of("like")).put("tower_hidden", 8).put("fusion", "weighted")
                .put("fusion_weights", new double[]{1.0}).put("fusion_hidden", 0).build());
        assertFalse(old.itemBias() || old.historyFeedback());
        assertFalse(cfg.withItemBias(false).withHistoryFeedback(false).parameterShapes().containsKey("item_bias"));
    }

    @Test
    void unknownItemsAreRejected() {
        UserHistory user = new UserHistory(1, new int[]{ITEMS + 5});
        var e = assertThrows(IllegalArgumentException.class, () -> trained.score(user, List.<int[]>of(new int[]{1})));
        assertTrue(e.getMessage().contains(String.valueOf(ITEMS + 5)), e.getMessage());
        CpuRewardModel cpu = new CpuRewardModel(trained.config(), trained.hostTensors());
        assertThrows(IllegalArgumentException.class, () -> cpu.score(new UserHistory(1, new int[]{1}), List.<int[]>of(new int[]{-1})));
        assertThrows(IllegalArgumentException.class, () -> cpu.score(new UserHistory(1, new int[]{1}), List.<int[]>of(new int[0])));
    }
}

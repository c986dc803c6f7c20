package io.onerec.libtorch.reward;

import io.onerec.api.reward.RewardExample;
import io.onerec.api.reward.RewardModelConfig;
import io.onerec.tools.sim.FeedbackSimulator;
import io.onerec.tools.sim.LoggedSession;

import java.util.List;
import java.util.Random;

/**
 * A simulated world of 600 users over 100 items and a LibTorch reward model trained on 40,000 sessions logged by
 * its first 500 users; the sessions of the other 100 are held out. Shared by the LibTorch reward tests and the
 * cross-backend ones (onerec-integration-tests) so both test the same trained model.
 */
record RewardFixture(FeedbackSimulator world, List<LoggedSession> heldOut, TorchRewardModel trained) {
    static final int ITEMS = 100, USERS = 600, TRAIN_USERS = 500, SESSION = 3;

    static RewardFixture train() {
        FeedbackSimulator world = new FeedbackSimulator(FeedbackSimulator.Config.of(USERS, ITEMS, 7));
        List<RewardExample> train = world.logSessions(40000, SESSION, 0, TRAIN_USERS, new Random(1)).stream()
                .map(LoggedSession::toExample).toList();
        List<LoggedSession> heldOut = world.logSessions(3000, SESSION, TRAIN_USERS, USERS, new Random(2));
        RewardModelConfig cfg = RewardModelConfig.of(ITEMS, 16).withFusion(RewardModelConfig.Fusion.MLP, new double[]{0.4, 0.1, 0.2, 0.3});
        TorchRewardModel trained = TorchRewardModel.initialize(cfg, null, 3);
        new RewardTrainer(trained, new RewardTrainerConfig(3, 128, 1e-2, 1e-4, 4), null).fit(train);
        return new RewardFixture(world, heldOut, trained);
    }
}

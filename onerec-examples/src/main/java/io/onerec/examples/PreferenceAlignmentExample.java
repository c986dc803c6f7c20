package io.onerec.examples;

import io.onerec.api.GeneratedSession;
import io.onerec.api.DecodingOptions;
import io.onerec.api.ItemEmbeddings;
import io.onerec.api.ProgressListener;
import io.onerec.api.RewardModel;
import io.onerec.api.RewardScores;
import io.onerec.api.UserHistory;
import io.onerec.tools.data.NextItemExample;
import io.onerec.tools.eval.EvaluationResult;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.tools.reward.Auc;
import io.onerec.tools.reward.GeneratedRewardReport;
import io.onerec.api.reward.RewardExample;
import io.onerec.api.reward.RewardModelConfig;
import io.onerec.tools.sim.FeedbackSimulator;
import io.onerec.tools.sim.LoggedSession;
import io.onerec.cpu.CpuBackend;
import io.onerec.core.codec.ResidualCodec;
import io.onerec.core.codec.ResidualCodecFitter;
import io.onerec.libtorch.generator.TorchGeneratorModel;
import io.onerec.libtorch.generator.GeneratorTrainer;
import io.onerec.libtorch.generator.TorchGenerator;
import io.onerec.libtorch.generator.SessionExample;
import io.onerec.libtorch.generator.GeneratorTrainerConfig;
import io.onerec.libtorch.ipa.IpaConfig;
import io.onerec.libtorch.ipa.IpaTrainer;
import io.onerec.libtorch.reward.RewardTrainer;
import io.onerec.libtorch.reward.RewardTrainerConfig;
import io.onerec.libtorch.reward.TorchRewardModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * OneRec section 3.3 on a simulated world (public data logs no watch time or likes): a generator is trained to
 * imitate logged sessions, a reward model learns four feedback towers from logged feedback, and Iterative
 * Preference Alignment fine-tunes the generator with DPO pairs chosen by the reward model. Prints, as in OneRec
 * Table 1, the mean and max reward per objective of generated sessions on held-out users before and after each IPA
 * epoch, the simulator's true reward of the same sessions, and Recall/NDCG@10 of the next item.
 *
 * <p>Flags: {@code --users N} (default 1000), {@code --items N} (150), {@code --ipa-epochs N} (2),
 * {@code --sft-epochs N} (8), {@code --candidates N} (N of Algorithm 2, default 16), {@code --dpo-rate R} (0.5), {@code --beta B} (0.5),
 * {@code --lambda L} (1.0), {@code --out DIR} (runs/alignment).
 */
public final class PreferenceAlignmentExample {
    private static final Logger LOG = LoggerFactory.getLogger(PreferenceAlignmentExample.class);
    private static final int SESSION = 2;

    public static void main(String[] args) {
        int users = 1000, items = 150, ipaEpochs = 2, candidates = 16, sftEpochs = 8;
        double dpoRate = 0.5, beta = 0.5, lambda = 1.0;
        Path out = Path.of("runs/alignment");
        FlagReader f = new FlagReader(args);
        while (f.next()) {
            switch (f.flag()) {
                case "--users" -> users = f.count(10); // a tenth is held out
                case "--items" -> items = f.count(2);
                case "--ipa-epochs" -> ipaEpochs = f.count(1);
                case "--sft-epochs" -> sftEpochs = f.count(1);
                case "--candidates" -> candidates = f.count(2); // a best and a worst
                case "--dpo-rate" -> dpoRate = f.positive();
                case "--beta" -> beta = f.positive();
                case "--lambda" -> lambda = f.nonNegative();
                case "--out" -> out = f.path();
                default -> throw f.unknown("--users N --items N --ipa-epochs N --sft-epochs N --candidates N --dpo-rate R"
                        + " --beta B --lambda L --out DIR");
            }
        }
        int trainUsers = users * 9 / 10;
        ProgressListener progress = ProgressBar.forConsole();
        FeedbackSimulator world = new FeedbackSimulator(new FeedbackSimulator.Config(users, items, 8, 10, 0.5, 2026));

        // Semantic IDs from the items' latent tastes (the stand-in for content embeddings).
        float[] taste = new float[items * 8];
        for (int i = 0; i < items; i++) System.arraycopy(world.itemTaste(i), 0, taste, i * 8, 8);
        var codecConfig = ResidualCodecFitter.Config.of(2, 8, ResidualCodecFitter.Method.KMEANS).withSeed(1).withThreads(2);
        ResidualCodec codec = new ResidualCodecFitter(codecConfig).fit(new ItemEmbeddings(items, 8, taste)).codec();

        // Generator pre-training on sessions a taste-following recommender showed.
        Random r = new Random(3);
        List<SessionExample> logged = new ArrayList<>();
        for (int u = 0; u < trainUsers; u++) {
            for (int n = 0; n < 3; n++) {
                logged.add(new SessionExample(world.history(u), new int[]{world.sampleByTaste(u, 1.5, r), world.sampleByTaste(u, 1.5, r)}));
            }
        }
        List<UserHistory> heldOut = new ArrayList<>();
        List<NextItemExample> heldOutNext = new ArrayList<>();
        for (int u = trainUsers; u < users; u++) {
            heldOut.add(world.history(u));
            heldOutNext.add(new NextItemExample(world.history(u), world.sampleByTaste(u, 1.5, r), 10));
        }
        GeneratorConfig gc = new GeneratorConfig(32, 4, 64, 1, 1, 0, 0, 10, codec.codebookSizes(), 0, SESSION, 1e-6);
        TorchGeneratorModel model = TorchGeneratorModel.initialize(gc, 5);
        GeneratorTrainer sft = new GeneratorTrainer(model, codec, new GeneratorTrainerConfig(sftEpochs, 64, 3e-3, 0.01, 20, 1.0, 1, 0, 1, 0, 10, 0.0, null, 0.0), progress);
        sft.fitSessions(logged, List.of(), items);

        // Reward model on logged feedback of the training users; AUC per tower on held-out users' sessions.
        List<RewardExample> feedback = world.logSessions(30000, SESSION, 0, trainUsers, new Random(4)).stream().map(LoggedSession::toExample).toList();
        List<LoggedSession> heldOutFeedback = world.logSessions(5000, SESSION, trainUsers, users, new Random(5));
        double[] weights = {0.4, 0.1, 0.2, 0.3};
        TorchRewardModel reward = TorchRewardModel.initialize(
                RewardModelConfig.of(items, 16).withFusion(RewardModelConfig.Fusion.MLP, weights), null, 6);
        new RewardTrainer(reward, new RewardTrainerConfig(3, 128, 1e-2, 1e-4, 7), progress).fit(feedback);
        reward.save(out.resolve("reward"));
        RewardModel cpuReward = new CpuBackend().loadRewardModel(out.resolve("reward"));
        System.out.println("Reward model AUC per tower vs the simulator's ground truth (held-out users, CPU scorer):");
        printAuc(cpuReward, heldOutFeedback);

        TorchGenerator generator = new TorchGenerator(model, codec);
        DecodingOptions eval = DecodingOptions.beams(8).withItemsPerSession(SESSION);
        report("before IPA", world, generator, cpuReward, heldOut, eval, weights, sft.evaluate(heldOutNext, items, 10));
        IpaTrainer ipa = new IpaTrainer(model, codec, reward,
                new IpaConfig(1, beta, lambda, candidates, dpoRate, SESSION, 64, 1e-3, 8), progress);
        for (int epoch = 1; epoch <= ipaEpochs; epoch++) {
            var stats = ipa.fit(logged).getFirst();
            System.out.printf("IPA epoch %d: %d pairs, chosen reward %.4f, rejected %.4f, NTP %.4f, DPO %.4f%n", epoch, stats.pairs(),
                    stats.meanChosenReward(), stats.meanRejectedReward(), stats.meanNtpLoss(), stats.meanDpoLoss());
            report("after IPA epoch " + epoch, world, generator, cpuReward, heldOut, eval, weights, sft.evaluate(heldOutNext, items, 10));
        }
        generator.save(out.resolve("generator-ipa"));
        System.out.println("checkpoints in " + out.toAbsolutePath());
    }

    private static void printAuc(RewardModel model, List<LoggedSession> sessions) {
        int k = model.objectives().size();
        double[][] scores = new double[k][sessions.size()], truth = new double[k][sessions.size()];
        for (int i = 0; i < sessions.size(); i++) {
            LoggedSession s = sessions.get(i);
            RewardScores rs = model.score(s.user(), List.of(s.items()));
            for (int o = 0; o < k; o++) {
                scores[o][i] = rs.perObjective()[0][o];
                truth[o][i] = s.probability(o);
            }
        }
        for (int o = 0; o < k; o++) {
            double[] sorted = truth[o].clone();
            Arrays.sort(sorted);
            double median = sorted[sorted.length / 2];
            boolean[] positive = new boolean[sessions.size()];
            for (int i = 0; i < positive.length; i++) positive[i] = truth[o][i] > median;
            System.out.printf("  %-10s AUC %.4f%n", model.objectives().get(o), Auc.of(scores[o], positive));
        }
    }

    private static void report(String label, FeedbackSimulator world, TorchGenerator generator, RewardModel reward,
                               List<UserHistory> users, DecodingOptions eval, double[] weights, EvaluationResult ranking) {
        GeneratedRewardReport rep = GeneratedRewardReport.evaluate(generator, reward, users, eval);
        double truth = 0;
        int n = 0;
        List<List<GeneratedSession>> sessions = generator.generateBatch(users, eval);
        for (int u = 0; u < users.size(); u++) {
            for (GeneratedSession s : sessions.get(u)) {
                double[] p = world.sessionProbabilities((int) users.get(u).userId(), s.items());
                for (int o = 0; o < p.length; o++) truth += weights[o] * p[o];
                n++;
            }
        }
        System.out.printf("%s:%n  reward model: %s%n  simulator true weighted reward (mean): %.4f%n  next item: %s%n",
                label, rep, truth / n, ranking);
    }
}

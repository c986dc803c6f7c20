package io.onerec.libtorch.ipa;

import io.onerec.api.GeneratedSession;
import io.onerec.api.DecodingOptions;
import io.onerec.api.ProgressListener;
import io.onerec.api.RewardModel;
import io.onerec.api.RewardScores;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.TrainingProgress;
import io.onerec.api.UserHistory;
import io.onerec.api.generator.GeneratorTokens;
import io.onerec.libtorch.Torch;
import io.onerec.libtorch.generator.TorchGeneratorModel;
import io.onerec.libtorch.generator.TorchGenerator;
import io.onerec.libtorch.generator.SessionExample;
import io.onerec.libtorch.generator.SessionLogProbs;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Iterative Preference Alignment (OneRec section 3.3.2, Algorithm 2). Each epoch t freezes a copy M_t of the
 * generator. For every training sample, the next-token loss on its logged session is always applied; with
 * probability r_DPO the frozen M_t also beam-generates N sessions for the sample's user, the reward model scores
 * them, and the best (chosen) and worst (rejected) form a DPO pair whose loss, weighted by lambda, is added:
 * {@code L = L_NTP + lambda L_DPO}, with the reference log-probabilities taken under M_t. The trained model is
 * M_{t+1}, the starting point (and reference) of the next epoch.
 */
public final class IpaTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(IpaTrainer.class);

    private final TorchGeneratorModel model;
    private final SemanticIdCodec codec;
    private final GeneratorTokens vocab;
    private final RewardModel reward;
    private final IpaConfig config;
    private final ProgressListener progress;
    private final AdamW optimizer;

    public IpaTrainer(TorchGeneratorModel model, SemanticIdCodec codec, RewardModel reward, IpaConfig config, ProgressListener progress) {
        if (config.itemsPerSession() > model.config().itemsPerSession()) {
            throw new IllegalArgumentException("IPA sessions of " + config.itemsPerSession() + " items, the generator decodes at most "
                    + model.config().itemsPerSession());
        }
        this.model = model;
        this.codec = codec;
        this.vocab = new GeneratorTokens(model.config(), codec);
        this.reward = reward;
        this.config = config;
        this.progress = progress == null ? ProgressListener.NONE : progress;
        this.optimizer = new AdamW(model.parameters(), new AdamWOptions(config.learningRate()));
    }

    /** What one IPA epoch did. */
    public record EpochStats(int epoch, int pairs, double meanChosenReward, double meanRejectedReward, double meanNtpLoss,
                             double meanDpoLoss) {
    }

    /** Runs the configured epochs over the samples (their logged sessions feed the next-token loss). */
    public List<EpochStats> fit(List<SessionExample> samples) {
        if (samples.isEmpty()) throw new IllegalArgumentException("no IPA samples");
        Random rnd = new Random(config.seed());
        List<EpochStats> stats = new ArrayList<>();
        for (int epoch = 1; epoch <= config.epochs(); epoch++) {
            TorchGeneratorModel frozen = model.copy(false);
            TorchGenerator reference = new TorchGenerator(frozen, codec);
            List<SessionExample> order = new ArrayList<>(samples);
            Collections.shuffle(order, rnd);
            int batches = (order.size() + config.batchSize() - 1) / config.batchSize();
            double ntpSum = 0, dpoSum = 0, chosenSum = 0, rejectedSum = 0;
            int pairs = 0, dpoBatches = 0;
            for (int b = 0; b < batches; b++) {
                List<SessionExample> batch = order.subList(b * config.batchSize(), Math.min(order.size(), (b + 1) * config.batchSize()));
                List<UserHistory> dpoUsers = new ArrayList<>();
                for (SessionExample e : batch) {
                    if (rnd.nextDouble() < config.dpoRate()) dpoUsers.add(e.history());
                }
                List<PreferencePair> batchPairs = pairs(reference, dpoUsers);
                for (PreferencePair p : batchPairs) {
                    chosenSum += p.chosenReward();
                    rejectedSum += p.rejectedReward();
                }
                pairs += batchPairs.size();
                double[] losses = step(batch, batchPairs, frozen);
                ntpSum += losses[0];
                if (!batchPairs.isEmpty()) {
                    dpoSum += losses[1];
                    dpoBatches++;
                }
                if (b % 10 == 0) {
                    progress.onProgress(new TrainingProgress("ipa/epoch-" + epoch, b, batches, losses[0] + config.lambda() * losses[1],
                            Map.of("pairs", (double) pairs)));
                }
            }
            EpochStats s = new EpochStats(epoch, pairs, pairs == 0 ? Double.NaN : chosenSum / pairs,
                    pairs == 0 ? Double.NaN : rejectedSum / pairs, ntpSum / batches, dpoBatches == 0 ? Double.NaN : dpoSum / dpoBatches);
            LOG.info("IPA {}", s);
            progress.onProgress(new TrainingProgress("ipa/train", epoch, config.epochs(), s.meanNtpLoss() + config.lambda() * s.meanDpoLoss(),
                    Map.of("pairs", (double) pairs, "chosen_reward", s.meanChosenReward(), "rejected_reward", s.meanRejectedReward())));
            stats.add(s);
        }
        return stats;
    }

    /** Beam-generates N sessions per user with the given (frozen) generator; best and worst by fused reward. */
    public List<PreferencePair> pairs(TorchGenerator generator, List<UserHistory> users) {
        List<PreferencePair> out = new ArrayList<>();
        if (users.isEmpty()) return out;
        DecodingOptions gen = DecodingOptions.beams(config.candidates()).withItemsPerSession(config.itemsPerSession());
        List<List<GeneratedSession>> generated = generator.generateBatch(users, gen);
        for (int u = 0; u < users.size(); u++) {
            List<GeneratedSession> candidates = generated.get(u);
            if (candidates.size() < 2) continue; // nothing to prefer
            List<int[]> sessions = new ArrayList<>(candidates.size());
            for (GeneratedSession s : candidates) sessions.add(s.items());
            RewardScores scores = reward.score(users.get(u), sessions);
            float[] f = scores.fused();
            int best = 0, worst = 0;
            for (int i = 1; i < f.length; i++) {
                if (f[i] > f[best]) best = i;
                if (f[i] < f[worst]) worst = i;
            }
            if (f[best] > f[worst]) {
                out.add(new PreferencePair(users.get(u), sessions.get(best), sessions.get(worst), f[best], f[worst]));
            }
        }
        return out;
    }

    /** One AdamW step on L_NTP + lambda L_DPO; returns {L_NTP, L_DPO (0 without pairs)}. */
    private double[] step(List<SessionExample> batch, List<PreferencePair> pairs, TorchGeneratorModel frozen) {
        try (PointerScope scope = new PointerScope()) {
            Tensor ntp = ntpLoss(batch);
            Tensor loss = ntp;
            double dpoValue = 0;
            if (!pairs.isEmpty()) {
                Tensor dpo = dpoLoss(pairs, frozen);
                dpoValue = dpo.item_float();
                loss = loss.add(dpo.mul(Torch.scalar(config.lambda())));
            }
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            return new double[]{ntp.item_float(), dpoValue};
        }
    }

    /** Mean negative log-probability of every code of the logged sessions (sessions grouped by length). */
    Tensor ntpLoss(List<SessionExample> batch) {
        Map<Integer, List<SessionExample>> byLength = new java.util.TreeMap<>();
        for (SessionExample e : batch) byLength.computeIfAbsent(e.items().length, x -> new ArrayList<>()).add(e);
        Tensor total = null;
        long codes = 0;
        for (List<SessionExample> group : byLength.values()) {
            List<UserHistory> users = new ArrayList<>();
            List<int[]> sessions = new ArrayList<>();
            for (SessionExample e : group) {
                users.add(e.history());
                sessions.add(e.items());
            }
            Tensor lp = SessionLogProbs.compute(model, vocab, users, sessions).tokenLogProbs();
            codes += lp.numel();
            Tensor s = lp.sum().neg();
            total = total == null ? s : total.add(s);
        }
        return total.div(Torch.scalar(codes));
    }

    /** DPO loss of the pairs: policy log-probs with gradients, reference log-probs from the frozen model. */
    Tensor dpoLoss(List<PreferencePair> pairs, TorchGeneratorModel frozen) {
        List<UserHistory> users = new ArrayList<>(pairs.size());
        List<int[]> chosen = new ArrayList<>(pairs.size()), rejected = new ArrayList<>(pairs.size());
        for (PreferencePair p : pairs) {
            users.add(p.user());
            chosen.add(p.chosen());
            rejected.add(p.rejected());
        }
        Tensor pc = SessionLogProbs.compute(model, vocab, users, chosen).perSession();
        Tensor pr = SessionLogProbs.compute(model, vocab, users, rejected).perSession();
        Tensor rc, rr;
        try (NoGradGuard noGrad = new NoGradGuard()) {
            rc = SessionLogProbs.compute(frozen, vocab, users, chosen).perSession().detach();
            rr = SessionLogProbs.compute(frozen, vocab, users, rejected).perSession().detach();
        }
        return DpoLoss.of(pc, pr, rc, rr, config.beta());
    }
}

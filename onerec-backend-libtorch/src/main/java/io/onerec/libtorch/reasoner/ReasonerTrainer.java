package io.onerec.libtorch.reasoner;

import io.onerec.api.ProgressListener;
import io.onerec.api.SemanticId;
import io.onerec.api.TrainingProgress;
import io.onerec.api.UserHistory;
import io.onerec.api.reasoner.LanguageModel;
import io.onerec.api.reasoner.ReasonerDecoder;
import io.onerec.api.reasoner.ReasonerTexts;
import io.onerec.api.reasoner.RolloutBeamReward;
import io.onerec.api.reasoner.SidVocabulary;
import io.onerec.api.reasoner.TokenExample;
import io.onerec.api.spi.Backend;
import io.onerec.api.spi.Backends;
import io.onerec.libtorch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.AdamWOptions;
import org.bytedeco.pytorch.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * The three OneRec-Think training stages on one model: itemic alignment and reasoning activation are next-token
 * prediction on {@link TokenExample}s ({@link #fit}); reasoning enhancement is GRPO with the rollout-beam reward
 * ({@link #grpoStep}). AdamW with gradient clipping; every step runs inside its own PointerScope.
 */
public final class ReasonerTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(ReasonerTrainer.class);
    /** The backend whose model decodes GRPO rollouts on CPU. */
    private static final String ROLLOUT_BACKEND = "cpu";

    /** Optimiser settings shared by the stages. */
    public record Config(double learningRate, double weightDecay, int batchSize, double clipNorm, long seed) {
        public Config {
            if (learningRate <= 0 || batchSize < 1) throw new IllegalArgumentException("learningRate > 0 and batchSize >= 1 required");
        }

        public static Config defaults() {
            return new Config(3e-3, 0.0, 32, 1.0, 7);
        }
    }

    /**
     * GRPO settings.
     *
     * @param group         rollouts (sampled rationales) per user
     * @param rewardBeam    K of the rollout-beam reward
     * @param temperature   sampling temperature of the rollouts
     * @param maxThinkTokens rationale length cap
     */
    public record GrpoConfig(int group, int rewardBeam, double temperature, int maxThinkTokens) {
        public GrpoConfig {
            if (group < 2) throw new IllegalArgumentException("GRPO needs at least 2 rollouts per user, got " + group);
            if (rewardBeam < 1 || temperature <= 0 || maxThinkTokens < 1) throw new IllegalArgumentException("invalid GRPO config");
        }
    }

    /** What one GRPO step saw: the mean rollout-beam reward of its rollouts and the surrogate loss. */
    public record GrpoStep(double meanReward, double loss) {
    }

    private final TorchQwenModel model;
    private final SidVocabulary vocab;
    private final Config config;
    private final ProgressListener progress;
    private final AdamW optimizer;
    private final Random rnd;
    private boolean warnedNoRolloutBackend;
    private long step;

    public ReasonerTrainer(TorchQwenModel model, SidVocabulary vocab, Config config, ProgressListener progress) {
        this.model = model;
        this.vocab = vocab;
        this.config = config;
        this.progress = progress == null ? ProgressListener.NONE : progress;
        this.rnd = new Random(config.seed());
        AdamWOptions opts = new AdamWOptions(config.learningRate());
        opts.weight_decay().put(config.weightDecay());
        this.optimizer = new AdamW(model.parameters(), opts);
    }

    /** Mean loss of each epoch of a next-token stage ("reasoner/alignment", "reasoner/activation"). */
    public List<Double> fit(String phase, List<TokenExample> examples, int epochs) {
        return fit(phase, examples, epochs, null);
    }

    /** As {@link #fit(String, List, int)}, stopping after the batch that exceeds {@code budget} (null: no limit). */
    public List<Double> fit(String phase, List<TokenExample> examples, int epochs, java.time.Duration budget) {
        if (examples.isEmpty()) throw new IllegalArgumentException(phase + ": no training examples");
        long deadline = budget == null ? Long.MAX_VALUE : System.nanoTime() + budget.toNanos();
        List<TokenExample> order = new ArrayList<>(examples);
        int batches = (order.size() + config.batchSize() - 1) / config.batchSize();
        List<Double> epochLosses = new ArrayList<>();
        for (int epoch = 1; epoch <= epochs; epoch++) {
            Collections.shuffle(order, rnd);
            double sum = 0;
            int done = 0;
            for (int b = 0; b < batches && System.nanoTime() < deadline; b++) {
                double loss = trainStep(order.subList(b * config.batchSize(), Math.min(order.size(), (b + 1) * config.batchSize())));
                sum += loss;
                done++;
                if (b % 20 == 0 || b == batches - 1) {
                    progress.onProgress(new TrainingProgress(phase + "/epoch-" + epoch, b + 1, batches, loss, Map.of()));
                }
            }
            if (done == 0) break;
            epochLosses.add(sum / done);
            LOG.info("{} epoch {}: mean loss {} over {} batches", phase, epoch, String.format("%.4f", sum / done), done);
            if (System.nanoTime() >= deadline) {
                LOG.info("{}: time budget {} reached in epoch {}", phase, budget, epoch);
                break;
            }
        }
        return epochLosses;
    }

    /** One optimiser step of next-token prediction; returns the batch loss before the step. */
    public double trainStep(List<TokenExample> batch) {
        try (PointerScope scope = new PointerScope()) {
            Tensor loss = TokenLogProbs.nll(model, batch);
            return apply(loss);
        }
    }

    /** Mean next-token loss of examples without training (for before/after comparisons). */
    public double loss(List<TokenExample> examples) {
        try (PointerScope scope = new PointerScope(); var g = new org.bytedeco.pytorch.NoGradGuard()) {
            return TokenLogProbs.nll(model, examples).item_float();
        }
    }

    /**
     * One GRPO step over a batch of users: for each user, sample {@code group} rationales after the prompt, score
     * each by the rollout-beam reward against the user's target SID, normalise the rewards within the group, and
     * raise the log-probability of the above-average rationales (on-policy, one update per rollout batch, so the
     * PPO ratio is 1 and needs no clipping).
     */
    public GrpoStep grpoStep(List<int[]> prompts, List<SemanticId> targets, io.onerec.api.sid.PrefixTrie trie, GrpoConfig grpo) {
        if (prompts.size() != targets.size()) throw new IllegalArgumentException(prompts.size() + " prompts but " + targets.size() + " targets");
        ReasonerDecoder decoding = new ReasonerDecoder(rolloutModel(), vocab);
        List<TokenExample> rollouts = new ArrayList<>();
        List<Double> weights = new ArrayList<>();
        double rewardSum = 0;
        int rewardCount = 0;
        for (int u = 0; u < prompts.size(); u++) {
            int[] prompt = prompts.get(u);
            List<ReasonerDecoder.Rationale> group = decoding.sample(prompt, grpo.group(), grpo.temperature(), grpo.maxThinkTokens(), rnd);
            double[] rewards = new double[group.size()];
            for (int i = 0; i < group.size(); i++) {
                int[] context = ReasonerTexts.concat(ReasonerTexts.concat(prompt, group.get(i).tokens()), new int[]{vocab.itemBegin()});
                List<SemanticId> beam = decoding.beamSearch(context, trie, grpo.rewardBeam(), trie.depth()).stream()
                        .map(ReasonerDecoder.SidBeam::codes).toList();
                rewards[i] = RolloutBeamReward.reward(beam, targets.get(u));
                rewardSum += rewards[i];
                rewardCount++;
            }
            double[] adv = RolloutBeamReward.advantages(rewards);
            for (int i = 0; i < group.size(); i++) {
                if (adv[i] == 0) continue;
                rollouts.add(new TokenExample(ReasonerTexts.concat(prompt, group.get(i).tokens()), prompt.length + 1));
                weights.add(adv[i]);
            }
        }
        double meanReward = rewardSum / Math.max(1, rewardCount);
        double lossValue = rollouts.isEmpty() ? 0 : policyStep(rollouts, weights);
        progress.onProgress(new TrainingProgress("reasoner/grpo", step, -1, lossValue, Map.of("reward", meanReward)));
        return new GrpoStep(meanReward, lossValue);
    }

    /**
     * The model that samples this step's rollouts. On CPU, the pure-Java backend's model over a host copy of the
     * current weights, reached through the backend registry (backends are peers; this module does not depend on
     * onerec-backend-cpu): decoding is a long chain of tiny ops, where LibTorch's per-op overhead dominates (JMH
     * ReasonerBenchmark: the pure-Java backend decodes this shape an order of magnitude faster), and copying the
     * weights costs milliseconds. On CUDA, or when the pure-Java backend is not installed, the model itself decodes.
     */
    private LanguageModel rolloutModel() {
        if (Torch.isCuda()) return model;
        Optional<Backend> cpu = Backends.find(ROLLOUT_BACKEND);
        if (cpu.isEmpty()) {
            if (!warnedNoRolloutBackend) {
                LOG.warn("backend '{}' is not installed: GRPO rollouts decode with LibTorch (slower on CPU)", ROLLOUT_BACKEND);
                warnedNoRolloutBackend = true;
            }
            return model;
        }
        return cpu.get().languageModel(model.toCheckpoint());
    }

    /** One policy-gradient update on rollouts (prompt + rationale, loss on the rationale) with their advantages. */
    double policyStep(List<TokenExample> rollouts, List<Double> advantages) {
        try (PointerScope scope = new PointerScope()) {
            return apply(advantageLoss(rollouts, advantages));
        }
    }

    /** -(1/N) sum_i A_i * mean log p(rationale_i): the GRPO surrogate with token-mean per rollout. */
    Tensor advantageLoss(List<TokenExample> rollouts, List<Double> advantages) {
        TokenLogProbs.Result r = TokenLogProbs.compute(model, rollouts);
        float[] w = new float[r.count()];
        for (int k = 0; k < r.count(); k++) {
            int i = r.owner()[k];
            w[k] = (float) (advantages.get(i) / rollouts.get(i).predicted());
        }
        return r.logProbs().mul(Torch.floats(w, r.count())).sum().div(Torch.scalar(rollouts.size())).neg();
    }

    private double apply(Tensor loss) {
        optimizer.zero_grad();
        loss.backward();
        Torch.clipGradNorm(model.parameterList(), config.clipNorm());
        optimizer.step();
        step++;
        return loss.item_float();
    }

    public long steps() {
        return step;
    }
}

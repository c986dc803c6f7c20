package io.onerec.libtorch.reasoner;

import io.onerec.api.SemanticId;
import io.onerec.api.TrainingProgress;
import io.onerec.api.reasoner.ReasonerTexts;
import io.onerec.api.reasoner.TokenExample;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class ReasonerTrainerTest {
    @Test
    void alignmentAndActivationStagesReduceTheirLoss() {
        ReasonerFixture f = new ReasonerFixture(48, 1);
        TorchQwenModel model = f.model(1);
        List<TrainingProgress> reports = new ArrayList<>();
        ReasonerTrainer trainer = new ReasonerTrainer(model, f.vocab, new ReasonerTrainer.Config(1e-2, 0, 24, 1.0, 1), reports::add);
        List<TokenExample> align = f.alignmentExamples(), reason = f.reasoningExamples();
        double alignBefore = trainer.loss(align), reasonBefore = trainer.loss(reason);
        trainer.fit("reasoner/alignment", align, 5);
        double alignAfter = trainer.loss(align);
        assertTrue(alignAfter < 0.5 * alignBefore, "alignment loss " + alignBefore + " -> " + alignAfter);
        trainer.fit("reasoner/activation", reason, 5);
        double reasonAfter = trainer.loss(reason);
        assertTrue(reasonAfter < 0.6 * reasonBefore, "activation loss " + reasonBefore + " -> " + reasonAfter);
        assertTrue(reports.stream().anyMatch(p -> p.phase().startsWith("reasoner/activation")));
    }

    @Test
    void grpoRaisesTheLikelihoodOfAboveAverageRollouts() {
        ReasonerFixture f = new ReasonerFixture(8, 2);
        TorchQwenModel model = f.model(2);
        ReasonerTrainer trainer = new ReasonerTrainer(model, f.vocab, new ReasonerTrainer.Config(1e-2, 0, 8, 1.0, 2), null);
        int[] prompt = f.vocab.tokenizer().encode(f.texts.prompt(f.users.getFirst()));
        int[] good = f.vocab.tokenizer().encode("<think> user likes attr1 </think>");
        int[] bad = f.vocab.tokenizer().encode("<think> keywords cream gold </think>");
        List<TokenExample> rollouts = List.of(new TokenExample(ReasonerTexts.concat(prompt, good), prompt.length + 1),
                new TokenExample(ReasonerTexts.concat(prompt, bad), prompt.length + 1));
        double gapBefore = trainer.loss(rollouts.subList(1, 2)) - trainer.loss(rollouts.subList(0, 1));
        for (int i = 0; i < 5; i++) trainer.policyStep(rollouts, List.of(1.0, -1.0));
        double gapAfter = trainer.loss(rollouts.subList(1, 2)) - trainer.loss(rollouts.subList(0, 1));
        // The positive-advantage rationale became more likely relative to the negative one.
        assertTrue(gapAfter > gapBefore + 0.5, "NLL gap (bad - good) " + gapBefore + " -> " + gapAfter);
    }

    @Test
    void grpoStepScoresRolloutsWithTheBeamReward() {
        ReasonerFixture f = new ReasonerFixture(6, 3);
        TorchQwenModel model = f.model(3);
        ReasonerTrainer trainer = new ReasonerTrainer(model, f.vocab, ReasonerTrainer.Config.defaults(), null);
        List<int[]> prompts = new ArrayList<>();
        List<SemanticId> targets = new ArrayList<>();
        for (int u = 0; u < 3; u++) {
            prompts.add(f.vocab.tokenizer().encode(f.texts.prompt(f.users.get(u))));
            targets.add(f.codec.sidOf(f.targets[u]));
        }
        ReasonerTrainer.GrpoStep s = trainer.grpoStep(prompts, targets, f.codec.trie(), new ReasonerTrainer.GrpoConfig(4, 3, 1.0, 8));
        assertTrue(s.meanReward() >= 0 && s.meanReward() <= f.codec.levels(), "reward " + s.meanReward());
        assertTrue(Double.isFinite(s.loss()));
    }
}

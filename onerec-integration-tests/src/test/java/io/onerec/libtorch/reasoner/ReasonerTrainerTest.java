package io.onerec.libtorch.reasoner;

import io.onerec.api.ReasoningOptions;
import io.onerec.api.ScoredItem;
import io.onerec.api.Reasoner;
import io.onerec.api.ReasoningPath;
import io.onerec.api.SemanticId;
import io.onerec.api.TrainingProgress;
import io.onerec.api.UserHistory;
import io.onerec.api.reasoner.ReasonerTexts;
import io.onerec.api.reasoner.SidReasoner;
import io.onerec.api.reasoner.TokenExample;
import io.onerec.api.spi.Backends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class ReasonerTrainerTest {
    @TempDir
    Path dir;

    private static List<TokenExample> alignment(ReasonerFixture f) {
        List<TokenExample> out = new ArrayList<>();
        for (int i = 0; i < ReasonerFixture.ITEMS; i++) out.add(f.texts.descriptionExample(f.vocab, i));
        for (int u = 0; u < f.users.size(); u++) out.add(f.texts.nextItemExample(f.vocab, f.users.get(u), f.targets[u]));
        return out;
    }

    private static List<TokenExample> reasoning(ReasonerFixture f) {
        List<TokenExample> out = new ArrayList<>();
        for (int u = 0; u < f.users.size(); u++) out.add(f.texts.reasoningExample(f.vocab, f.users.get(u), f.targets[u]));
        return out;
    }

    @Test
    void alignmentAndActivationStagesReduceTheirLoss() {
        ReasonerFixture f = new ReasonerFixture(48, 1);
        TorchQwenModel model = f.model(1);
        List<TrainingProgress> reports = new ArrayList<>();
        ReasonerTrainer trainer = new ReasonerTrainer(model, f.vocab, new ReasonerTrainer.Config(1e-2, 0, 24, 1.0, 1), reports::add);
        List<TokenExample> align = alignment(f), reason = reasoning(f);
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

    @Test
    void reasonerReturnsValidPrefixesPerPathAndSurvivesSaveLoad() {
        ReasonerFixture f = new ReasonerFixture(48, 4);
        TorchQwenModel model = f.model(4);
        ReasonerTrainer trainer = new ReasonerTrainer(model, f.vocab, new ReasonerTrainer.Config(5e-3, 0, 24, 1.0, 4), null);
        trainer.fit("reasoner/activation", reasoning(f), 4);
        SidReasoner reasoner = new SidReasoner(model, f.vocab, f.texts, new SidReasoner.Options(1.0, 12));
        UserHistory user = f.users.get(5);
        List<ReasoningPath> paths = reasoner.reason(user, new ReasoningOptions(3, 2, 2, 11));
        assertEquals(3, paths.size());
        Set<SemanticId> valid = f.codec.validPrefixes(2);
        for (ReasoningPath p : paths) {
            assertEquals(Math.min(2, valid.size()), p.prefixes().size());
            for (SemanticId s : p.prefixes()) {
                assertEquals(2, s.length());
                assertTrue(valid.contains(s), s + " is not a valid prefix");
            }
            assertFalse(p.rationale().contains("<think>") || p.rationale().contains("</think>"), p.rationale());
            assertTrue(p.logProb() <= 0);
        }
        reasoner.save(dir);
        SidReasoner back = SidReasoner.load(dir, f.codec, TorchQwenModel::load);
        assertEquals(paths, back.reason(user, new ReasoningOptions(3, 2, 2, 11)));
        // The pure-Java backend serves the same checkpoint (through the SPI, with no item metadata at hand): same
        // sampled rationales and prefixes, log-probabilities equal up to float rounding.
        try (Reasoner cpu = Backends.get("cpu").loadReasoner(dir, f.codec)) {
            List<ReasoningPath> cpuPaths = cpu.reason(user, new ReasoningOptions(3, 2, 2, 11));
            for (int i = 0; i < paths.size(); i++) {
                assertEquals(paths.get(i).rationale(), cpuPaths.get(i).rationale());
                assertEquals(paths.get(i).prefixes(), cpuPaths.get(i).prefixes());
                assertEquals(paths.get(i).logProb(), cpuPaths.get(i).logProb(), 1e-3);
            }
        }
        try (Reasoner torch = Backends.get("libtorch").loadReasoner(dir, f.codec)) {
            assertEquals(paths, torch.reason(user, new ReasoningOptions(3, 2, 2, 11)));
        }
        List<ScoredItem> recs = back.recommend(user, new ReasoningOptions(2, 4, 2, 1), 5);
        assertTrue(recs.size() >= 1 && recs.size() <= 5);
        for (ScoredItem s : recs) assertTrue(s.item() >= 0 && s.item() < ReasonerFixture.ITEMS && s.logProb() <= 0, s.toString());
    }
}

package io.onerec.libtorch.reasoner;

import io.onerec.api.ReasoningOptions;
import io.onerec.api.ScoredItem;
import io.onerec.api.Reasoner;
import io.onerec.api.ReasoningPath;
import io.onerec.api.SemanticId;
import io.onerec.api.UserHistory;
import io.onerec.api.reasoner.SidReasoner;
import io.onerec.api.spi.Backends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A reasoner trained on LibTorch, saved, and served by both backends through the registry. The LibTorch-only
 * training tests (stage losses, GRPO) are in onerec-backend-libtorch's ReasonerTrainerTest.
 */
class ReasonerCrossBackendTest {
    @TempDir
    Path dir;

    @Test
    void reasonerReturnsValidPrefixesPerPathAndSurvivesSaveLoad() {
        ReasonerFixture f = new ReasonerFixture(48, 4);
        TorchQwenModel model = f.model(4);
        ReasonerTrainer trainer = new ReasonerTrainer(model, f.vocab, new ReasonerTrainer.Config(5e-3, 0, 24, 1.0, 4), null);
        trainer.fit("reasoner/activation", f.reasoningExamples(), 4);
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

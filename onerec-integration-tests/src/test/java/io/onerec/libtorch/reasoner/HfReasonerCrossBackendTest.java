package io.onerec.libtorch.reasoner;

import io.onerec.api.Reasoner;
import io.onerec.api.ReasoningOptions;
import io.onerec.api.ReasoningPath;
import io.onerec.api.UserHistory;
import io.onerec.api.reasoner.QwenConfig;
import io.onerec.api.reasoner.SidReasoner;
import io.onerec.api.spi.Backends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A reasoner over a Hugging Face tokenizer, saved on LibTorch, served by the pure-Java backend through the registry:
 * the CPU backend cannot read {@code tokenizer.json} itself and borrows the LibTorch module's binding
 * ({@link Backends#loadHfTokenizer}).
 */
class HfReasonerCrossBackendTest {
    @TempDir
    Path dir;

    private static final String TOKENIZER_JSON = ReasonerFixture.wordLevelTokenizerJson("red", "gold", "blue", "cream");

    @Test
    void cpuBackendServesAnHfTokenizerReasonerSavedOnLibTorch() throws Exception {
        ReasonerFixture f = new ReasonerFixture(6, 2);
        Path hf = dir.resolve("pretrained");
        Files.createDirectories(hf);
        Files.writeString(hf.resolve(SidReasoner.HF_TOKENIZER_FILE), TOKENIZER_JSON);
        TorchQwenModel.initialize(new QwenConfig(8, 16, 32, 1, 2, 1, 8, 10000.0, 1e-6, false, false, true), 1).save(hf);
        ReasonerModels.Initialized init = ReasonerModels.fromHuggingFace(hf, f.codec.codebookSizes(), 3);
        UserHistory user = f.users.get(3);
        ReasoningOptions options = new ReasoningOptions(2, 2, 2, 8);
        List<ReasoningPath> paths;
        try (SidReasoner reasoner = new SidReasoner(init.model(), init.vocabulary(), f.texts, new SidReasoner.Options(1.0, 6))) {
            paths = reasoner.reason(user, options);
            reasoner.save(dir.resolve("saved"));
        }
        try (Reasoner cpu = Backends.get("cpu").loadReasoner(dir.resolve("saved"), f.codec)) {
            List<ReasoningPath> cpuPaths = cpu.reason(user, options);
            assertEquals(paths.size(), cpuPaths.size());
            for (int i = 0; i < paths.size(); i++) {
                assertEquals(paths.get(i).rationale(), cpuPaths.get(i).rationale());
                assertEquals(paths.get(i).prefixes(), cpuPaths.get(i).prefixes());
                assertEquals(paths.get(i).logProb(), cpuPaths.get(i).logProb(), 1e-3);
            }
        }
    }
}

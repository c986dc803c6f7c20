package io.onerec.libtorch.reasoner;

import io.onerec.api.Reasoner;
import io.onerec.api.ReasoningOptions;
import io.onerec.api.ReasoningPath;
import io.onerec.api.UserHistory;
import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.api.reasoner.QwenConfig;
import io.onerec.api.reasoner.SidReasoner;
import io.onerec.api.spi.Backends;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A reasoner over a Hugging Face tokenizer saves the tokenizer next to its weights and loads back through the
 * backend registry; a tokenizer file that is missing, corrupt, swapped or of the wrong size for the embedding is
 * rejected with a {@link CheckpointException} naming it. Uses a small word-level {@code tokenizer.json} (same format
 * as Qwen's) so each case takes milliseconds; the real Qwen3 tokenizer is exercised in {@link Qwen3TokenizerTest}.
 */
class HfReasonerCheckpointTest {
    @TempDir
    Path dir;

    private static final String TOKENIZER_JSON = ReasonerFixture.wordLevelTokenizerJson("red", "gold", "blue", "cream");
    /** The same kind of tokenizer with three more words: a valid file that does not fit the saved model. */
    private static final String BIGGER_TOKENIZER_JSON = TOKENIZER_JSON.replace("\"cream\":4}", "\"cream\":4,\"rosa\":7,\"noir\":8,\"verde\":9}");

    private final ReasonerFixture f = new ReasonerFixture(6, 2);
    private final ReasoningOptions options = new ReasoningOptions(2, 2, 2, 5);
    private Path saved;
    private List<ReasoningPath> paths;
    private UserHistory user;

    @BeforeEach
    void saveAReasonerOverAnHfTokenizer() throws IOException {
        Path hf = dir.resolve("pretrained");
        Files.createDirectories(hf);
        Files.writeString(hf.resolve(SidReasoner.HF_TOKENIZER_FILE), TOKENIZER_JSON);
        // Embedding padded to 8 rows for the 7-token tokenizer, as Qwen pads its embedding.
        TorchQwenModel.initialize(new QwenConfig(8, 16, 32, 1, 2, 1, 8, 10000.0, 1e-6, false, false, true), 1).save(hf);
        ReasonerModels.Initialized init = ReasonerModels.fromHuggingFace(hf, f.codec.codebookSizes(), 3);
        SidReasoner reasoner = new SidReasoner(init.model(), init.vocabulary(), f.texts, new SidReasoner.Options(1.0, 6));
        user = f.users.get(1);
        paths = reasoner.reason(user, options);
        saved = dir.resolve("saved");
        reasoner.save(saved);
        reasoner.close();
    }

    @Test
    void savedReasonerLoadsThroughTheRegistryWithItsTokenizer() throws IOException {
        assertEquals(TOKENIZER_JSON, Files.readString(saved.resolve(SidReasoner.HF_TOKENIZER_FILE)));
        try (Reasoner back = Backends.get("libtorch").loadReasoner(saved, f.codec)) {
            assertEquals(paths, back.reason(user, options));
        }
        // Without naming a tokenizer reader, the loader finds one among the installed backends.
        try (SidReasoner back = SidReasoner.load(saved, f.codec, TorchQwenModel::load)) {
            assertInstanceOf(HfTokenizer.class, back.vocabulary().tokenizer().base());
            assertEquals(paths, back.reason(user, options));
        }
    }

    @Test
    void missingTokenizerIsNamed() throws IOException {
        Files.delete(saved.resolve(SidReasoner.HF_TOKENIZER_FILE));
        assertRejected("missing");
    }

    @Test
    void swappedTokenizerIsCaughtByItsChecksum() throws IOException {
        Files.writeString(saved.resolve(SidReasoner.HF_TOKENIZER_FILE), BIGGER_TOKENIZER_JSON);
        assertRejected("is not the tokenizer this reasoner was saved with");
    }

    @Test
    void corruptTokenizerIsNamedEvenWithoutAChecksum() throws IOException {
        forgetChecksum();
        Files.writeString(saved.resolve(SidReasoner.HF_TOKENIZER_FILE), TOKENIZER_JSON.substring(0, TOKENIZER_JSON.length() / 2));
        assertRejected("not a Hugging Face tokenizer.json");
        Files.writeString(saved.resolve(SidReasoner.HF_TOKENIZER_FILE), "{\"model\": {\"type\": \"WordLevel\"}}");
        assertRejected("no model.vocab");
    }

    @Test
    void tokenizerOfAnotherVocabularySizeIsRejected() throws IOException {
        forgetChecksum();
        Files.writeString(saved.resolve(SidReasoner.HF_TOKENIZER_FILE), BIGGER_TOKENIZER_JSON);
        assertRejected("the reasoner was saved with");
    }

    @Test
    void moreTokenIdsThanEmbeddingRowsIsRejected() throws IOException {
        // An old-style checkpoint (no checksum, no recorded size) whose tokenizer outgrew the model's embedding.
        Path settings = saved.resolve(SidReasoner.REASONER_FILE);
        Files.writeString(settings, Files.readString(settings).replaceAll("\"tokenizer_sha256\":\"[0-9a-f]+\",", "")
                .replaceAll(",\"vocab_size\":\\d+", ""));
        Files.writeString(saved.resolve(SidReasoner.HF_TOKENIZER_FILE), BIGGER_TOKENIZER_JSON);
        CheckpointException e = assertRejected("rows");
        assertTrue(e.getMessage().contains("model.embed_tokens.weight"), e.getMessage());
    }

    private void forgetChecksum() throws IOException {
        Path settings = saved.resolve(SidReasoner.REASONER_FILE);
        String json = Files.readString(settings);
        String without = json.replaceAll("\"tokenizer_sha256\":\"[0-9a-f]+\",", "");
        assertNotEquals(json, without, "reasoner.json must record the tokenizer's checksum");
        Files.writeString(settings, without);
    }

    private CheckpointException assertRejected(String problem) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> Backends.get("libtorch").loadReasoner(saved, f.codec));
        assertTrue(e.getMessage().contains(saved.resolve(SidReasoner.HF_TOKENIZER_FILE).toString()) && e.getMessage().contains(problem), e.getMessage());
        return e;
    }
}

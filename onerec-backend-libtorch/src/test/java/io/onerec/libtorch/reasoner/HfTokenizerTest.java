package io.onerec.libtorch.reasoner;

import io.onerec.api.SemanticId;
import io.onerec.api.reasoner.QwenConfig;
import io.onerec.api.reasoner.SidVocabulary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

/** DJL's Hugging Face tokenizer, offline, on a small word-level tokenizer.json written here (same file format as Qwen's). */
class HfTokenizerTest {
    @TempDir
    Path dir;

    private static final String TOKENIZER_JSON = ReasonerFixture.wordLevelTokenizerJson("red", "lipstick", "blue", "nail");

    @Test
    void hfTokenizerExtendedWithSidTokensKeepsThemAtomic() throws Exception {
        Path json = dir.resolve("tokenizer.json");
        Files.writeString(json, TOKENIZER_JSON);
        try (HfTokenizer hf = HfTokenizer.load(json)) {
            assertEquals(7, hf.vocabSize());
            assertArrayEquals(new int[]{1, 2}, hf.encode("red lipstick"));
            SidVocabulary v = SidVocabulary.extend(hf, new int[]{3, 2});
            // <think> and </think> already exist in the HF vocabulary and are reused, not added again.
            assertEquals(5, v.thinkBegin());
            assertEquals(6, v.thinkEnd());
            assertEquals(7 + 2 + 3 + 2, v.tokenizer().vocabSize());
            int[] ids = v.tokenizer().encode("<think>red</think>" + SidVocabulary.text(SemanticId.of(2, 1)) + "nail");
            assertArrayEquals(new int[]{5, 1, 6, v.itemBegin(), v.tokenId(0, 2), v.tokenId(1, 1), v.itemEnd(), 4}, ids);
            assertTrue(v.tokenizer().decode(ids).contains("<s_a_2><s_b_1>"));
        }
    }

    @Test
    void pretrainedCheckpointDirectoryGetsItemTokens() throws Exception {
        Files.writeString(dir.resolve("tokenizer.json"), TOKENIZER_JSON);
        // Embedding padded to 8 rows for a 7-token tokenizer, as Qwen pads its embedding.
        TorchQwenModel.initialize(new QwenConfig(8, 8, 16, 1, 2, 1, 4, 10000.0, 1e-6, true, true, false), 1).save(dir);
        ReasonerModels.Initialized init = ReasonerModels.fromHuggingFace(dir, new int[]{4, 4}, 1);
        assertEquals(7 + 2 + 8, init.vocabulary().tokenizer().vocabSize());
        assertEquals(init.vocabulary().tokenizer().vocabSize(), init.model().config().vocabSize());
        assertEquals(7, init.vocabulary().itemBegin());   // first new id reuses the padding row
    }
}

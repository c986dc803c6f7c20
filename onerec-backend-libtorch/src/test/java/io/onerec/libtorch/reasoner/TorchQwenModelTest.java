package io.onerec.libtorch.reasoner;

import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.api.checkpoint.HostTensor;
import io.onerec.api.checkpoint.SafeTensors;
import io.onerec.api.reasoner.QwenConfig;
import io.onerec.libtorch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class TorchQwenModelTest {
    @TempDir
    Path dir;

    private static void assertForwardMatchesReference(QwenConfig c, Path dir) throws Exception {
        Map<String, HostTensor> weights = NaiveQwen.writeRandomCheckpoint(dir, c, 3);
        TorchQwenModel model = TorchQwenModel.load(dir);
        assertEquals(c, model.config());
        int[] ids = {3, 1, 4, 1, 5, 9, 2};
        float[][] expected = new NaiveQwen(c, weights).forward(ids);
        float[] actual;
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            actual = Torch.toFloats(model.forward(Torch.longs(ids, 1, ids.length)));
        }
        for (int p = 0; p < ids.length; p++) {
            for (int v = 0; v < c.vocabSize(); v++) {
                assertEquals(expected[p][v], actual[p * c.vocabSize() + v], 2e-3 * (1 + Math.abs(expected[p][v])), "logit at position " + p + ", token " + v);
            }
        }
    }

    @Test
    void qwen3LayoutWithGroupedQueryAttentionMatchesNaiveJava() throws Exception {
        // 4 query heads over 2 key/value heads, q/k norm, untied lm_head, head_dim != hidden/heads.
        QwenConfig c = new QwenConfig(13, 16, 24, 2, 4, 2, 6, 10000.0, 1e-6, false, false, true);
        assertForwardMatchesReference(c, dir.resolve("qwen3"));
    }

    @Test
    void qwen2LayoutWithBiasesAndTiedEmbeddingsMatchesNaiveJava() throws Exception {
        QwenConfig c = new QwenConfig(11, 8, 16, 2, 2, 1, 4, 1000000.0, 1e-6, true, true, false);
        assertForwardMatchesReference(c, dir.resolve("qwen2"));
        assertFalse(c.parameterShapes().containsKey("lm_head.weight"));
    }

    @Test
    void missingOrMisshapenTensorsAreNamed() throws Exception {
        QwenConfig c = QwenConfig.tiny(10, 8, 1, 2, 1);
        Map<String, HostTensor> w = NaiveQwen.writeRandomCheckpoint(dir, c, 1);
        w.remove("model.layers.0.mlp.up_proj.weight");
        SafeTensors.write(dir.resolve("model.safetensors"), w, Map.of());
        var e = assertThrows(CheckpointException.class, () -> TorchQwenModel.load(dir));
        assertTrue(e.getMessage().contains("model.layers.0.mlp.up_proj.weight"), e.getMessage());
        w.put("model.layers.0.mlp.up_proj.weight", HostTensor.of(new float[8 * 3], 3, 8));
        SafeTensors.write(dir.resolve("model.safetensors"), w, Map.of());
        var e2 = assertThrows(RuntimeException.class, () -> TorchQwenModel.load(dir));
        assertTrue(e2.getMessage().contains("up_proj"), e2.getMessage());
    }

    @Test
    void paddedEmbeddingRowsAreReusedForNewTokens() {
        // Like Qwen: the embedding has more rows (16) than the tokenizer has tokens (10).
        TorchQwenModel model = TorchQwenModel.initialize(new QwenConfig(16, 8, 16, 1, 2, 2, 4, 10000.0, 1e-6, false, false, true), 1);
        float[] before = Torch.toFloats(model.p("model.embed_tokens.weight"));
        model.initializeNewTokens(10, 13, 2);   // 3 new tokens fit in the padding
        assertEquals(16, model.config().vocabSize());
        float[] after = Torch.toFloats(model.p("model.embed_tokens.weight"));
        for (int i = 0; i < 10 * 8; i++) assertEquals(before[i], after[i]);
        for (int i = 13 * 8; i < 16 * 8; i++) assertEquals(before[i], after[i]);
        boolean changed = false;
        for (int i = 10 * 8; i < 13 * 8; i++) changed |= before[i] != after[i];
        assertTrue(changed);
        model.initializeNewTokens(16, 20, 3);   // beyond the padding: grows
        assertEquals(20, model.config().vocabSize());
        assertThrows(IllegalArgumentException.class, () -> model.initializeNewTokens(21, 22, 1));
    }

    @Test
    void vocabularyExtensionKeepsOldLogitsAndSavesInHfLayout() throws Exception {
        for (boolean tied : new boolean[]{true, false}) {
            QwenConfig c = new QwenConfig(12, 8, 16, 1, 2, 2, 4, 10000.0, 1e-6, tied, false, true);
            TorchQwenModel model = TorchQwenModel.initialize(c, 5);
            int[] ids = {1, 7, 3};
            float[] before, after;
            try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                before = Torch.toFloats(model.forward(Torch.longs(ids, 1, 3)));
                model.extendVocabulary(5, 9);
                after = Torch.toFloats(model.forward(Torch.longs(ids, 1, 3)));
            }
            assertEquals(17, model.config().vocabSize());
            for (int p = 0; p < 3; p++) {
                for (int v = 0; v < 12; v++) assertEquals(before[p * 12 + v], after[p * 17 + v], 1e-5);
                // New rows are near the mean row, so their logits are not outliers.
                for (int v = 12; v < 17; v++) assertTrue(Math.abs(after[p * 17 + v]) < 1.0, "new token logit " + after[p * 17 + v]);
            }
            Path out = dir.resolve("ext-" + tied);
            model.save(out);
            TorchQwenModel back = TorchQwenModel.load(out);
            assertEquals(model.config(), back.config());
            try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                assertArrayEquals(after, Torch.toFloats(back.forward(Torch.longs(ids, 1, 3))), 1e-5f);
            }
        }
    }
}

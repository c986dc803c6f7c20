package io.onerec.cpu.reasoner;

import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.api.checkpoint.HostTensor;
import io.onerec.api.reasoner.DecodingState;
import io.onerec.api.reasoner.QwenCheckpoint;
import io.onerec.api.reasoner.QwenConfig;
import io.onerec.core.vector.KernelProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The pure-Java Qwen on its own; its parity with LibTorch and with a naive reference implementation is checked in
 * the LibTorch module ({@code TorchQwenModelTest}), which can run both.
 */
class CpuQwenModelTest {
    @TempDir
    Path dir;

    private static Map<String, HostTensor> random(QwenConfig c, long seed) {
        Random r = new Random(seed);
        Map<String, HostTensor> t = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : c.parameterShapes().entrySet()) {
            long n = 1;
            for (long s : e.getValue()) n *= s;
            float[] data = new float[(int) n];
            boolean norm = e.getKey().endsWith("norm.weight");
            for (int i = 0; i < n; i++) data[i] = norm ? 1f + 0.2f * (float) r.nextGaussian() : 0.3f * (float) r.nextGaussian();
            t.put(e.getKey(), HostTensor.of(data, e.getValue()));
        }
        return t;
    }

    @Test
    void withSilencedBlocksTheLogitsAreTheNormalisedEmbeddingTimesTheEmbedding() {
        // Zero attention output and MLP down projections leave the residual stream at the token's embedding, so
        // the logits are rmsnorm(e_t) * w . E^T: computable by hand, whatever the position and the cache hold.
        QwenConfig c = new QwenConfig(7, 4, 8, 1, 2, 1, 2, 10000.0, 1e-6, true, false, true);
        Map<String, HostTensor> w = random(c, 1);
        w.put("model.layers.0.self_attn.o_proj.weight", HostTensor.of(new float[4 * 4], 4, 4));
        w.put("model.layers.0.mlp.down_proj.weight", HostTensor.of(new float[4 * 8], 4, 8));
        float[] e = w.get("model.embed_tokens.weight").floats(), g = w.get("model.norm.weight").floats();
        CpuQwenModel m = new CpuQwenModel(new QwenCheckpoint(c, w), KernelProvider.scalar());
        try (DecodingState s = m.start(new int[]{3, 5, 2}, 2)) {
            s.append(new int[]{6, 1});
            int[] last = {6, 1};
            for (int r = 0; r < 2; r++) {
                int t = last[r];
                double ss = 0;
                for (int i = 0; i < 4; i++) ss += e[t * 4 + i] * e[t * 4 + i];
                double inv = 1 / Math.sqrt(ss / 4 + 1e-6);
                for (int v = 0; v < 7; v++) {
                    double expected = 0;
                    for (int i = 0; i < 4; i++) expected += e[t * 4 + i] * inv * g[i] * e[v * 4 + i];
                    assertEquals(expected, s.logits()[r * 7 + v], 1e-5, "row " + r + " token " + v);
                }
            }
        }
    }

    @Test
    void panamaAndScalarKernelsAgreeAlongADecode() {
        QwenConfig c = new QwenConfig(40, 32, 48, 2, 4, 2, 8, 10000.0, 1e-6, false, true, true);
        QwenCheckpoint ckpt = new QwenCheckpoint(c, random(c, 2));
        CpuQwenModel scalar = new CpuQwenModel(ckpt, KernelProvider.scalar());
        CpuQwenModel chosen = new CpuQwenModel(ckpt, KernelProvider.get());
        try (DecodingState a = scalar.start(new int[]{1, 2, 3, 4}, 2); DecodingState b = chosen.start(new int[]{1, 2, 3, 4}, 2)) {
            for (int step = 0; step < 5; step++) {
                assertArrayEquals(a.logits(), b.logits(), 1e-3f, "step " + step);
                int[] next = {step + 5, 39 - step};
                a.append(next);
                b.append(next);
                a.select(new int[]{1, 1});
                b.select(new int[]{1, 1});
            }
            assertArrayEquals(a.logits(), b.logits(), 1e-3f);
        }
    }

    @Test
    void checkpointsRoundTripAndBadOnesAreNamed() {
        QwenConfig c = QwenConfig.tiny(12, 8, 1, 2, 1);
        Map<String, HostTensor> w = random(c, 3);
        new QwenCheckpoint(c, w).write(dir.resolve("ok"));
        CpuQwenModel m = CpuQwenModel.load(dir.resolve("ok"));
        assertEquals(c, m.config());
        m.save(dir.resolve("again"));
        float[] first, second;
        try (DecodingState s = m.start(new int[]{1, 2}, 1); DecodingState t = CpuQwenModel.load(dir.resolve("again")).start(new int[]{1, 2}, 1)) {
            first = s.logits();
            second = t.logits();
        }
        assertArrayEquals(first, second);

        w.put("model.layers.0.mlp.up_proj.weight", HostTensor.of(new float[8 * 3], 3, 8));
        new QwenCheckpoint(c, w).write(dir.resolve("bad"));
        var e = assertThrows(CheckpointException.class, () -> CpuQwenModel.load(dir.resolve("bad")));
        assertTrue(e.getMessage().contains("model.layers.0.mlp.up_proj.weight"), e.getMessage());
        w.remove("model.norm.weight");
        w.put("model.layers.0.mlp.up_proj.weight", HostTensor.of(new float[16 * 8], 16, 8));
        new QwenCheckpoint(c, w).write(dir.resolve("missing"));
        var e2 = assertThrows(CheckpointException.class, () -> CpuQwenModel.load(dir.resolve("missing")));
        assertTrue(e2.getMessage().contains("model.norm.weight"), e2.getMessage());

        try (DecodingState s = m.start(new int[]{1}, 1)) {
            var bad = assertThrows(IllegalArgumentException.class, () -> s.append(new int[]{12}));
            assertTrue(bad.getMessage().contains("12"), bad.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> m.start(new int[0], 1));
    }
}

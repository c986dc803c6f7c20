package io.onerec.api.reasoner;

import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.api.checkpoint.HostTensor;
import io.onerec.api.checkpoint.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The reasoner's checkpoint loader, shared by both backends, rejects poisoned weights and configs. */
class QwenCheckpointValidationTest {
    @TempDir
    Path dir;

    private static final QwenConfig CONFIG = QwenConfig.tiny(50, 16, 2, 4, 2);

    private static Map<String, HostTensor> tensors(QwenConfig c) {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        c.parameterShapes().forEach((name, shape) -> {
            float[] data = new float[(int) java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
            java.util.Arrays.fill(data, 0.01f);
            t.put(name, HostTensor.of(data, shape));
        });
        return t;
    }

    private Path write(String name, QwenConfig c, Map<String, HostTensor> tensors) {
        Path d = dir.resolve(name);
        new QwenCheckpoint(c, tensors).write(d);
        return d;
    }

    @Test
    void goodCheckpointLoads() {
        assertEquals(CONFIG, QwenCheckpoint.read(write("ok", CONFIG, tensors(CONFIG))).config());
    }

    @Test
    void nanInAnyTensorIsRejectedNamingFileAndTensor() {
        for (String name : new String[]{"model.embed_tokens.weight", "model.norm.weight", "model.layers.1.mlp.down_proj.weight"}) {
            Map<String, HostTensor> t = tensors(CONFIG);
            t.get(name).floats()[1] = Float.NaN;
            Path d = write("nan-" + name, CONFIG, t);
            var e = assertThrows(CheckpointException.class, () -> QwenCheckpoint.read(d));
            assertTrue(e.getMessage().contains(name) && e.getMessage().contains(d.resolve(QwenCheckpoint.WEIGHTS_FILE).toString()), e.getMessage());
        }
    }

    @Test
    void configThatDropsLayersOfTheFileIsRejected() {
        Path d = write("fewer", CONFIG, tensors(CONFIG));
        QwenConfig one = new QwenConfig(50, 16, 32, 1, 4, 2, 4, 10000.0, 1e-6, true, false, true);
        try {
            Files.writeString(d.resolve(QwenCheckpoint.CONFIG_FILE), one.toHf().toJson());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        var e = assertThrows(CheckpointException.class, () -> QwenCheckpoint.read(d));
        assertTrue(e.getMessage().contains("model.layers.1."), e.getMessage());
    }

    @Test
    void nonFiniteAndAbsurdConfigValuesAreRejectedNamingTheKey() throws IOException {
        for (String[] edit : new String[][]{
                {"\"rms_norm_eps\":[^,}]+", "\"rms_norm_eps\":1e400", "1e400"},
                {"\"rms_norm_eps\":[^,}]+", "\"rms_norm_eps\":0.0", "rms_norm_eps"},
                {"\"rope_theta\":[^,}]+", "\"rope_theta\":-5.0", "rope_theta"},
                {"\"num_hidden_layers\":\\d+", "\"num_hidden_layers\":2147483647", "num_hidden_layers"},
                {"\"vocab_size\":\\d+", "\"vocab_size\":2000000000", "vocab_size"},
                {"\"intermediate_size\":\\d+", "\"intermediate_size\":1000000000", "intermediate_size"}}) {
            Path d = write("cfg-" + edit[2], CONFIG, tensors(CONFIG));
            Path cfg = d.resolve(QwenCheckpoint.CONFIG_FILE);
            Files.writeString(cfg, Files.readString(cfg).replaceFirst(edit[0], edit[1]));
            var e = assertThrows(CheckpointException.class, () -> QwenCheckpoint.read(d), edit[1]);
            assertTrue(e.getMessage().contains(edit[2]) && e.getMessage().contains(cfg.toString()), e.getMessage());
        }
    }

    @Test
    void integerTensorWhereWeightsBelongNamesTensorAndFile() {
        Map<String, HostTensor> t = tensors(CONFIG);
        t.put("model.norm.weight", HostTensor.ofInts(new int[16], 16));
        Path d = write("ints", CONFIG, t);
        var e = assertThrows(CheckpointException.class, () -> QwenCheckpoint.read(d));
        assertTrue(e.getMessage().contains("model.norm.weight") && e.getMessage().contains("I32"), e.getMessage());
    }

    @Test
    void aTensorInTwoShardsIsRejected() {
        Path d = write("shards", CONFIG, tensors(CONFIG));
        SafeTensors.write(d.resolve("model-extra.safetensors"), Map.of("model.norm.weight", HostTensor.of(new float[16], 16)), Map.of());
        var e = assertThrows(CheckpointException.class, () -> QwenCheckpoint.read(d));
        assertTrue(e.getMessage().contains("model.norm.weight"), e.getMessage());
    }
}

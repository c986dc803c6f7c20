package io.onerec.api.checkpoint;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CheckpointTest {
    @TempDir
    Path dir;

    private Path writeSample() {
        JsonConfig config = JsonConfig.builder()
                .put("d_model", 64)
                .put("dropout", 0.1)
                .put("name", "tiny \"gen\"\n")
                .put("codebooks", new int[]{256, 256, 256})
                .put("scales", new double[]{0.5, 2.0})
                .put("tied", true)
                .put("labels", List.of("a", "b"))
                .put("kind", "ignored: the writer's kind wins")
                .build();
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("emb", HostTensor.of(new float[]{1, 2, 3, 4, 5, 6}, 3, 2));
        t.put("codes", HostTensor.ofInts(new int[]{1, 2, 3}, 3));
        t.put("steps", HostTensor.ofLongs(new long[]{10_000_000_000L}, 1));
        t.put("none", HostTensor.ofInts(new int[0], 0));
        Path ck = dir.resolve("ck");
        Checkpoint.write(ck, "onerec-generator", config, t);
        return ck;
    }

    @Test
    void roundTrip() {
        Checkpoint c = Checkpoint.read(writeSample(), "onerec-generator");
        assertEquals("onerec-generator", c.kind());
        JsonConfig cfg = c.config();
        assertEquals(64, cfg.getInt("d_model"));
        assertEquals(0.1, cfg.getDouble("dropout"));
        assertEquals("tiny \"gen\"\n", cfg.getString("name"));
        assertArrayEquals(new int[]{256, 256, 256}, cfg.getIntArray("codebooks"));
        assertArrayEquals(new double[]{0.5, 2.0}, cfg.getDoubleArray("scales"));
        assertTrue(cfg.getBoolean("tied"));
        assertEquals(List.of("a", "b"), cfg.getStringList("labels"));
        assertEquals(Checkpoint.FORMAT_VERSION, cfg.getInt("format_version"));
        assertEquals(7, cfg.getInt("absent", 7));
        assertFalse(cfg.has("absent"));

        assertEquals(List.of("emb", "codes", "steps", "none"), List.copyOf(c.names()));
        assertArrayEquals(new float[]{1, 2, 3, 4, 5, 6}, c.tensor("emb", 3, 2).floats());
        assertArrayEquals(new int[]{1, 2, 3}, c.tensor("codes").ints());
        assertArrayEquals(new long[]{10_000_000_000L}, c.tensor("steps").longs());
        assertEquals(0, c.tensor("none", 0).numel());
        assertEquals("onerec-generator", SafeTensors.readMetadata(c.dir().resolve(Checkpoint.WEIGHTS_FILE)).get("kind"));
    }

    @Test
    void missingTensorWrongShapeWrongKind() {
        Path ck = writeSample();
        Checkpoint c = Checkpoint.read(ck, null);
        var missing = assertThrows(CheckpointException.class, () -> c.tensor("decoder.w"));
        assertTrue(missing.getMessage().contains("missing tensor 'decoder.w'"), missing.getMessage());
        var shape = assertThrows(CheckpointException.class, () -> c.tensor("emb", 2, 3));
        assertTrue(shape.getMessage().contains("'emb' has shape [3, 2], expected [2, 3]"), shape.getMessage());
        var kind = assertThrows(CheckpointException.class, () -> Checkpoint.read(ck, "onerec-codec"));
        assertTrue(kind.getMessage().contains("holds a 'onerec-generator' checkpoint, expected 'onerec-codec'"), kind.getMessage());
        var wrongDtype = assertThrows(IllegalStateException.class, () -> c.tensor("codes").floats());
        assertTrue(wrongDtype.getMessage().contains("I32, not F32"), wrongDtype.getMessage());
    }

    @Test
    void badConfig() throws IOException {
        var none = assertThrows(CheckpointException.class, () -> Checkpoint.read(dir, "x"));
        assertTrue(none.getMessage().contains("no config.json"), none.getMessage());

        Path ck = writeSample();
        Path cfg = ck.resolve(Checkpoint.CONFIG_FILE);
        Files.writeString(cfg, "{\"kind\": \"onerec-generator\", \"format_version\": 99}");
        var future = assertThrows(CheckpointException.class, () -> Checkpoint.read(ck, "onerec-generator"));
        assertTrue(future.getMessage().contains("format_version 99"), future.getMessage());

        Files.writeString(cfg, "{\"kind\": \"onerec-generator\", \"format_version\": 1, \"d_model\": \"big\"}");
        Checkpoint c = Checkpoint.read(ck, "onerec-generator");
        var typed = assertThrows(CheckpointException.class, () -> c.config().getInt("d_model"));
        assertTrue(typed.getMessage().contains("key 'd_model' should be an int"), typed.getMessage());
        var absent = assertThrows(CheckpointException.class, () -> c.config().getInt("n_layers"));
        assertTrue(absent.getMessage().contains("missing key 'n_layers'"), absent.getMessage());

        Files.writeString(cfg, "{\"kind\": ");
        var garbage = assertThrows(CheckpointException.class, () -> Checkpoint.read(ck, "onerec-generator"));
        assertTrue(garbage.getMessage().contains("config.json") && garbage.getMessage().contains("malformed JSON"), garbage.getMessage());

        Files.writeString(cfg, "{\"kind\": \"onerec-generator\", \"format_version\": 1}");
        Files.delete(ck.resolve(Checkpoint.WEIGHTS_FILE));
        var noWeights = assertThrows(CheckpointException.class, () -> Checkpoint.read(ck, "onerec-generator"));
        assertTrue(noWeights.getMessage().contains("safetensors file not found"), noWeights.getMessage());
    }
}

package io.onerec.cpu.reasoner;

import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.api.checkpoint.HostTensor;
import io.onerec.api.reasoner.DecodingState;
import io.onerec.api.reasoner.QwenCheckpoint;
import io.onerec.api.reasoner.QwenConfig;
import io.onerec.core.vector.KernelProvider;
import io.onerec.testing.HfCheckpoints;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * A tiny Qwen3-shaped checkpoint in the layout Hugging Face publishes (BF16 shards, index json, HF tensor names)
 * loads into the pure-Java model with exactly the BF16-rounded weights, and every inconsistency between the index,
 * the shards and the config is rejected naming the file and the tensor.
 */
class HfShardedQwenCheckpointTest {
    @TempDir
    Path dir;

    private static final QwenConfig CONFIG = HfCheckpoints.qwen3(40, 16, 2, 4, 2);
    private static final Map<String, HostTensor> WEIGHTS = HfCheckpoints.randomWeights(CONFIG, 7);

    private Path sharded(String name) {
        return HfCheckpoints.writeSharded(dir.resolve(name), CONFIG, WEIGHTS, 2);
    }

    @Test
    void shardedBf16CheckpointLoadsAsTheRoundedWeights() {
        Path d = sharded("ok");
        assertTrue(Files.exists(d.resolve("model-00001-of-00002.safetensors")) && Files.exists(d.resolve("model-00002-of-00002.safetensors")));
        QwenCheckpoint read = QwenCheckpoint.read(d);
        assertEquals(CONFIG, read.config());
        Map<String, HostTensor> rounded = HfCheckpoints.roundedToBf16(WEIGHTS);
        assertEquals(rounded.keySet(), read.tensors().keySet());
        boolean anyRounded = false;
        for (String name : rounded.keySet()) {
            assertArrayEquals(rounded.get(name).floats(), read.tensors().get(name).floats(), name);
            anyRounded |= !java.util.Arrays.equals(WEIGHTS.get(name).floats(), read.tensors().get(name).floats());
        }
        assertTrue(anyRounded, "BF16 storage must have rounded some weights, or the test does not test the conversion");

        // The model from the shards computes exactly what a model over the rounded float32 weights computes.
        CpuQwenModel fromShards = CpuQwenModel.load(d);
        CpuQwenModel reference = new CpuQwenModel(new QwenCheckpoint(CONFIG, rounded), KernelProvider.get());
        int[] prompt = {3, 17, 5, 39, 0};
        try (DecodingState a = fromShards.start(prompt, 2); DecodingState b = reference.start(prompt, 2)) {
            assertArrayEquals(b.logits(), a.logits());
            a.append(new int[]{8, 9});
            b.append(new int[]{8, 9});
            assertArrayEquals(b.logits(), a.logits());
        }
    }

    @Test
    void nanInAShardIsRejectedNamingShardAndTensor() throws IOException {
        Path d = sharded("nan");
        String tensor = "model.layers.1.self_attn.k_norm.weight";
        HfCheckpoints.setBf16(d, tensor, 3, (short) 0x7fc0);
        var e = assertThrows(CheckpointException.class, () -> QwenCheckpoint.read(d));
        assertTrue(e.getMessage().contains(tensor) && e.getMessage().contains("model-00002-of-00002.safetensors"), e.getMessage());
    }

    @Test
    void infinityInAShardIsRejected() throws IOException {
        Path d = sharded("inf");
        HfCheckpoints.setBf16(d, "model.embed_tokens.weight", 0, (short) 0x7f80);
        var e = assertThrows(CheckpointException.class, () -> QwenCheckpoint.read(d));
        assertTrue(e.getMessage().contains("model.embed_tokens.weight") && e.getMessage().contains("Infinity"), e.getMessage());
    }

    @Test
    void indexNamingAMissingShardIsRejected() throws IOException {
        Path d = sharded("missing");
        Files.delete(d.resolve("model-00002-of-00002.safetensors"));
        var e = assertThrows(CheckpointException.class, () -> QwenCheckpoint.read(d));
        assertTrue(e.getMessage().contains(QwenCheckpoint.INDEX_FILE) && e.getMessage().contains("model-00002-of-00002.safetensors")
                && e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void indexMappingATensorToTheWrongShardIsRejected() throws IOException {
        Path d = sharded("moved");
        Path index = d.resolve(QwenCheckpoint.INDEX_FILE);
        String json = Files.readString(index);
        String moved = json.replace("\"model.norm.weight\":\"model-00002-of-00002.safetensors\"", "\"model.norm.weight\":\"model-00001-of-00002.safetensors\"");
        assertNotEquals(json, moved, "the index must map model.norm.weight to the second shard");
        Files.writeString(index, moved);
        var e = assertThrows(CheckpointException.class, () -> QwenCheckpoint.read(d));
        assertTrue(e.getMessage().contains("model.norm.weight") && e.getMessage().contains("model-00002-of-00002.safetensors"), e.getMessage());
    }

    @Test
    void strayWeightsFileNextToTheShardsIsRejected() throws IOException {
        Path d = sharded("stray");
        HfCheckpoints.writeBf16(d.resolve(QwenCheckpoint.WEIGHTS_FILE), Map.of("model.norm.weight", WEIGHTS.get("model.norm.weight")));
        var e = assertThrows(CheckpointException.class, () -> QwenCheckpoint.read(d));
        assertTrue(e.getMessage().contains(QwenCheckpoint.WEIGHTS_FILE) && e.getMessage().contains("not a shard named by"), e.getMessage());
    }

    @Test
    void wrongQkNormShapeIsRejectedNamingTheTensor() {
        Map<String, HostTensor> bad = new java.util.LinkedHashMap<>(WEIGHTS);
        bad.put("model.layers.0.self_attn.q_norm.weight", HostTensor.of(new float[CONFIG.headDim() + 2], CONFIG.headDim() + 2));
        Path d = HfCheckpoints.writeSharded(dir.resolve("shape"), CONFIG, bad, 3);
        var e = assertThrows(CheckpointException.class, () -> QwenCheckpoint.read(d));
        assertTrue(e.getMessage().contains("model.layers.0.self_attn.q_norm.weight") && e.getMessage().contains("shape"), e.getMessage());
    }

    @Test
    void malformedIndexIsRejectedNamingIt() throws IOException {
        Path d = sharded("garbled");
        Files.writeString(d.resolve(QwenCheckpoint.INDEX_FILE), "{\"weight_map\": [1, 2]}");
        var e = assertThrows(CheckpointException.class, () -> QwenCheckpoint.read(d));
        assertTrue(e.getMessage().contains(QwenCheckpoint.INDEX_FILE) && e.getMessage().contains("weight_map"), e.getMessage());
    }
}

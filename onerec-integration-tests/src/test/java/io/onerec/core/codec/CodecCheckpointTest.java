package io.onerec.core.codec;

import io.onerec.testing.SyntheticData;
import io.onerec.api.ItemEmbeddings;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.checkpoint.Checkpoint;
import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.api.checkpoint.HostTensor;
import io.onerec.api.checkpoint.SafeTensors;
import io.onerec.api.spi.Backend;
import io.onerec.api.spi.Backends;
import io.onerec.core.codec.ResidualCodecFitter.Config;
import io.onerec.core.codec.ResidualCodecFitter.Method;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CodecCheckpointTest {
    @TempDir
    Path tmp;

    private static ResidualCodec fitted() {
        float[] data = SyntheticData.blobs(400, 12, 6, 9).data();
        System.arraycopy(data, 0, data, 12, 12); // item 1 = item 0: forces a disambiguation position
        return new ResidualCodecFitter(new Config(new int[]{16, 8}, Method.BALANCED, 6, 2, 2))
                .fit(new ItemEmbeddings(400, 12, data)).codec();
    }

    @Test
    void saveLoadRoundTripThroughTheBackend() {
        ResidualCodec codec = fitted();
        Path dir = tmp.resolve("codec");
        codec.save(dir);
        Backend cpu = Backends.get("cpu");
        assertEquals(10, cpu.priority());
        SemanticIdCodec loaded = cpu.loadCodec(dir);
        ResidualCodec r = assertInstanceOf(ResidualCodec.class, loaded);
        assertArrayEquals(codec.sidTable(), r.sidTable());
        assertArrayEquals(codec.codebookSizes(), r.codebookSizes());
        assertEquals(codec.hasDisambiguation(), r.hasDisambiguation());
        assertEquals(Method.BALANCED, r.method());
        for (int l = 0; l < 2; l++) assertArrayEquals(codec.codebook(l), r.codebook(l));
        float[] probe = SyntheticData.gaussian(12, 77);
        assertEquals(codec.encode(probe), r.encode(probe));
        assertEquals(codec.trie().nodeCount(), r.trie().nodeCount());
        // The CPU backend now loads generators; a codec directory is not one.
        var wrongKind = assertThrows(io.onerec.api.checkpoint.CheckpointException.class, () -> cpu.loadGenerator(dir, r));
        assertTrue(wrongKind.getMessage().contains("onerec-generator"), wrongKind.getMessage());
    }

    @Test
    void corruptCheckpointsAreRejected() throws IOException {
        ResidualCodec codec = fitted();
        Path good = tmp.resolve("good");
        codec.save(good);
        Map<String, HostTensor> tensors = new LinkedHashMap<>(SafeTensors.read(good.resolve(Checkpoint.WEIGHTS_FILE)));

        // Two items with the same SID.
        int[] sids = codec.sidTable();
        int p = codec.levels();
        System.arraycopy(sids, 0, sids, 5 * p, p);
        assertRejected(rewrite("dup", good, tensors, CodecCheckpoint.SIDS, HostTensor.ofInts(sids, 400, p)), "share SID");

        // A code outside its codebook.
        int[] outOfRange = codec.sidTable();
        outOfRange[3 * p] = 16;
        assertRejected(rewrite("range", good, tensors, CodecCheckpoint.SIDS, HostTensor.ofInts(outOfRange, 400, p)), "outside");

        // A codebook of the wrong shape.
        assertRejected(rewrite("shape", good, tensors, "codebook.1", HostTensor.of(new float[7 * 12], 7, 12)), "shape");

        // A truncated weights file.
        Path cut = copy(good, "cut");
        byte[] bytes = Files.readAllBytes(cut.resolve(Checkpoint.WEIGHTS_FILE));
        Files.write(cut.resolve(Checkpoint.WEIGHTS_FILE), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThrows(CheckpointException.class, () -> ResidualCodec.load(cut));

        // A config that disagrees with the tensors, and another model's checkpoint.
        Path cfg = copy(good, "cfg");
        String json = Files.readString(cfg.resolve(Checkpoint.CONFIG_FILE)).replace("\"dim\":12", "\"dim\":13");
        Files.writeString(cfg.resolve(Checkpoint.CONFIG_FILE), json, StandardCharsets.UTF_8);
        assertRejected(cfg, "shape");
        Path kind = copy(good, "kind");
        Files.writeString(kind.resolve(Checkpoint.CONFIG_FILE),
                Files.readString(kind.resolve(Checkpoint.CONFIG_FILE)).replace("onerec-codec", "onerec-generator"));
        assertRejected(kind, "onerec-generator");
    }

    private static void assertRejected(Path dir, String messagePart) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> ResidualCodec.load(dir));
        assertTrue(e.getMessage().contains(messagePart), e.getMessage());
    }

    private Path rewrite(String name, Path good, Map<String, HostTensor> tensors, String key, HostTensor replacement) throws IOException {
        Path dir = copy(good, name);
        Map<String, HostTensor> t = new LinkedHashMap<>(tensors);
        t.put(key, replacement);
        SafeTensors.write(dir.resolve(Checkpoint.WEIGHTS_FILE), t, Map.of("kind", CodecCheckpoint.KIND));
        return dir;
    }

    private Path copy(Path from, String name) throws IOException {
        Path dir = tmp.resolve(name);
        Files.createDirectories(dir);
        for (String f : new String[]{Checkpoint.CONFIG_FILE, Checkpoint.WEIGHTS_FILE}) {
            Files.copy(from.resolve(f), dir.resolve(f));
        }
        return dir;
    }
}

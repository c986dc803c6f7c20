package io.onerec.api.checkpoint;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The shared loader checks: JSON bounded in depth and range, safetensors read in chunks, and a checkpoint checked
 * against the layout its config implies (from the header, before any data is read) and for finite values.
 */
class CheckpointValidationTest {
    @TempDir
    Path dir;

    private static final Function<JsonConfig, Map<String, long[]>> LAYOUT = c -> {
        int n = CheckpointLimits.requireInRange("n", c.getInt("n"), 1, 1000);
        Map<String, long[]> m = new LinkedHashMap<>();
        m.put("a", new long[]{n, 2});
        m.put("b", new long[]{3});
        return m;
    };

    private Path write(String name, Map<String, HostTensor> tensors, int n) {
        Path d = dir.resolve(name);
        Checkpoint.write(d, "test-kind", JsonConfig.builder().put("n", n).build(), tensors);
        return d;
    }

    private static Map<String, HostTensor> good(int n) {
        Map<String, HostTensor> t = new LinkedHashMap<>();
        t.put("a", HostTensor.of(new float[n * 2], n, 2));
        t.put("b", HostTensor.of(new float[]{1, 2, 3}, 3));
        return t;
    }

    @Test
    void deepNestingIsAnErrorNotAStackOverflow() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        var e = assertThrows(CheckpointException.class, () -> Json.parse(deep));
        assertTrue(e.getMessage().contains("nesting deeper than " + Json.MAX_DEPTH), e.getMessage());
        String objects = "{\"k\":".repeat(5000) + "1" + "}".repeat(5000);
        assertThrows(CheckpointException.class, () -> Json.parse(objects));
        // At the limit it still parses.
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertNotNull(Json.parse(ok));
    }

    @Test
    void numbersOutsideTheDoubleRangeAndDuplicateKeysAreRejected() {
        var e = assertThrows(CheckpointException.class, () -> Json.parse("{\"norm_eps\": 1e400}"));
        assertTrue(e.getMessage().contains("1e400"), e.getMessage());
        assertThrows(CheckpointException.class, () -> Json.parse("[-1e999]"));
        e = assertThrows(CheckpointException.class, () -> Json.parse("{\"a\": 1, \"b\": 2, \"a\": 3}"));
        assertTrue(e.getMessage().contains("duplicate key \"a\""), e.getMessage());
        String huge = "1" + "e".repeat(1_000_000);
        e = assertThrows(CheckpointException.class, () -> Json.parse(huge));
        assertTrue(e.getMessage().length() < 300, "the message copies the bad token: " + e.getMessage().length() + " chars");
    }

    @Test
    void tensorsAreReadInChunksOfAnySize() {
        Map<String, HostTensor> in = new LinkedHashMap<>();
        float[] f = new float[37];
        long[] l = new long[11];
        for (int i = 0; i < f.length; i++) f[i] = i * 0.25f - 3;
        for (int i = 0; i < l.length; i++) l[i] = (long) i << 40;
        in.put("f", HostTensor.of(f, 37));
        in.put("l", HostTensor.ofLongs(l, 11));
        Path file = dir.resolve("x.safetensors");
        SafeTensors.write(file, in, Map.of());
        for (long chunk : new long[]{1, 8, 12, 100, 1 << 20}) {
            try (SafeTensors.Reader r = SafeTensors.open(file, chunk)) {
                assertArrayEquals(f, r.read("f").floats(), "chunk " + chunk);
                assertArrayEquals(l, r.read("l").longs(), "chunk " + chunk);
            }
        }
    }

    @Test
    void checkpointMatchingItsLayoutLoads() {
        Checkpoint c = Checkpoint.read(write("ok", good(4), 4), "test-kind", LAYOUT);
        assertArrayEquals(new long[]{4, 2}, c.tensor("a").shape());
    }

    @Test
    void nonFiniteValuesAreRejectedNamingFileAndTensor() {
        for (float bad : new float[]{Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            Map<String, HostTensor> t = good(4);
            t.get("b").floats()[2] = bad;
            Path d = write("bad" + bad, t, 4);
            for (var load : java.util.List.<Runnable>of(() -> Checkpoint.read(d, "test-kind", LAYOUT), () -> Checkpoint.read(d, "test-kind"))) {
                var e = assertThrows(CheckpointException.class, load::run);
                assertTrue(e.getMessage().contains("'b'") && e.getMessage().contains(d.resolve(Checkpoint.WEIGHTS_FILE).toString())
                        && e.getMessage().contains("element 2"), e.getMessage());
            }
        }
    }

    @Test
    void tensorsTheLayoutDoesNotNameMissingOnesAndWrongDtypesAreRejected() {
        Map<String, HostTensor> extra = good(4);
        extra.put("junk.extra", HostTensor.of(new float[1], 1));
        var e = assertThrows(CheckpointException.class, () -> Checkpoint.read(write("extra", extra, 4), "test-kind", LAYOUT));
        assertTrue(e.getMessage().contains("unexpected tensor 'junk.extra'"), e.getMessage());

        Map<String, HostTensor> missing = good(4);
        missing.remove("b");
        e = assertThrows(CheckpointException.class, () -> Checkpoint.read(write("missing", missing, 4), "test-kind", LAYOUT));
        assertTrue(e.getMessage().contains("missing tensor 'b'"), e.getMessage());

        Map<String, HostTensor> ints = good(4);
        ints.put("b", HostTensor.ofInts(new int[3], 3));
        Path d = write("ints", ints, 4);
        e = assertThrows(CheckpointException.class, () -> Checkpoint.read(d, "test-kind", LAYOUT));
        assertTrue(e.getMessage().contains("'b' is I32") && e.getMessage().contains(d.resolve(Checkpoint.WEIGHTS_FILE).toString()), e.getMessage());
    }

    @Test
    void configValuesOutOfRangeAreReportedAgainstTheConfigFile() {
        Path d = write("range", good(4), 4);
        rewriteConfig(d, "\"n\":4", "\"n\":2147483647");
        var e = assertThrows(CheckpointException.class, () -> Checkpoint.read(d, "test-kind", LAYOUT));
        assertTrue(e.getMessage().contains(d.resolve(Checkpoint.CONFIG_FILE).toString()) && e.getMessage().contains("n must be in"), e.getMessage());
    }

    @Test
    void shapesAreCheckedFromTheHeaderBeforeAnyDataIsRead() throws IOException {
        // A (sparse) file whose header describes a 4 GiB tensor where the config expects 8 floats: rejected from the
        // header alone, without mapping or copying the data.
        Path d = write("big", good(4), 4);
        long elements = 1L << 30;
        writeHeaderOnly(d.resolve(Checkpoint.WEIGHTS_FILE), "a", new long[]{elements / 2, 2}, elements * 4);
        long before = usedHeap();
        var e = assertThrows(CheckpointException.class, () -> Checkpoint.read(d, "test-kind", LAYOUT));
        assertTrue(e.getMessage().contains("tensor 'a' has shape [536870912, 2], expected [4, 2]"), e.getMessage());
        assertTrue(usedHeap() - before < 256L << 20, "the loader allocated the tensor before checking its shape");
    }

    @Test
    void tensorsLargerThanAJavaArrayAreRejectedFromTheHeaderNamingTheFile() throws IOException {
        Path file = dir.resolve("huge.safetensors");
        writeHeaderOnly(file, "w", new long[]{1L << 31}, 4L << 31);
        var e = assertThrows(CheckpointException.class, () -> SafeTensors.open(file).close());
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("'w'"), e.getMessage());
    }

    @Test
    void layoutsImplyingHugeTensorsAreRejectedBeforeReading() {
        Map<String, long[]> huge = Map.of("w", new long[]{1L << 20, 1L << 20});
        var e = assertThrows(IllegalArgumentException.class, () -> CheckpointLimits.requireLoadable(huge));
        assertTrue(e.getMessage().contains("'w'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CheckpointLimits.requireFinitePositive("norm_eps", Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> CheckpointLimits.requireFinitePositive("norm_eps", Double.NaN));
    }

    private static long usedHeap() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    /** A safetensors file with one F32 tensor whose data section is a hole of {@code dataBytes} (sparse on disk). */
    private static void writeHeaderOnly(Path file, String name, long[] shape, long dataBytes) throws IOException {
        String header = "{\"" + name + "\":{\"dtype\":\"F32\",\"shape\":" + java.util.Arrays.toString(shape).replace(" ", "")
                + ",\"data_offsets\":[0," + dataBytes + "]}}";
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(8 + json.length).order(ByteOrder.LITTLE_ENDIAN);
            b.putLong(json.length).put(json).flip();
            ch.write(b);
            ch.write(ByteBuffer.wrap(new byte[]{0}), 8 + json.length + dataBytes - 1);
        }
    }

    private static void rewriteConfig(Path d, String from, String to) {
        try {
            Path cfg = d.resolve(Checkpoint.CONFIG_FILE);
            Files.writeString(cfg, Files.readString(cfg).replace(from, to));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

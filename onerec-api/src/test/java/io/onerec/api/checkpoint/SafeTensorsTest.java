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
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SafeTensorsTest {
    @TempDir
    Path dir;

    @Test
    void roundTripAllDtypesAndEmptyTensors() {
        Map<String, HostTensor> in = new LinkedHashMap<>();
        in.put("w", HostTensor.of(new float[]{1.5f, -2f, 0f, Float.MIN_VALUE, 3e38f, -0f}, 2, 3));
        in.put("ids", HostTensor.ofInts(new int[]{7, -1, Integer.MAX_VALUE, Integer.MIN_VALUE}, 4));
        in.put("big", HostTensor.ofLongs(new long[]{Long.MIN_VALUE, 1L << 40}, 2));
        in.put("empty", HostTensor.of(new float[0], 0, 5));
        in.put("scalar", HostTensor.of(new float[]{42f}));
        Path f = dir.resolve("m.safetensors");
        SafeTensors.write(f, in, Map.of("kind", "test", "note", "a \"quoted\" value"));

        Map<String, HostTensor> out = SafeTensors.read(f);
        assertEquals(List.copyOf(in.keySet()), List.copyOf(out.keySet()));
        assertArrayEquals(in.get("w").floats(), out.get("w").floats());
        assertArrayEquals(new long[]{2, 3}, out.get("w").shape());
        assertEquals(HostTensor.DType.I32, out.get("ids").dtype());
        assertArrayEquals(in.get("ids").ints(), out.get("ids").ints());
        assertArrayEquals(in.get("big").longs(), out.get("big").longs());
        assertArrayEquals(new long[]{0, 5}, out.get("empty").shape());
        assertEquals(0, out.get("empty").floats().length);
        assertEquals(0, out.get("scalar").rank());
        assertEquals(42f, out.get("scalar").floats()[0]);
        assertEquals(Map.of("kind", "test", "note", "a \"quoted\" value"), SafeTensors.readMetadata(f));
        // data starts 8-byte aligned
        assertEquals(0, headerLength(f) % 8);
    }

    @Test
    void readsHalfPrecisionAndF64() throws IOException {
        // F16: 1.0 = 0x3C00, -2.0 = 0xC000, 0.5 = 0x3800. BF16 is the top half of an F32: 1.0 = 0x3F80,
        // -2.5 = 0xC020, 0x4049 -> 0x40490000 = 3.140625.
        ByteBuffer data = ByteBuffer.allocate(6 + 6 + 16).order(ByteOrder.LITTLE_ENDIAN);
        data.putShort((short) 0x3C00).putShort((short) 0xC000).putShort((short) 0x3800);
        data.putShort((short) 0x3F80).putShort((short) 0xC020).putShort((short) 0x4049);
        data.putDouble(0.25).putDouble(-1e10);
        String header = "{\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[0,6]},"
                + "\"b\":{\"dtype\":\"BF16\",\"shape\":[1,3],\"data_offsets\":[6,12]},"
                + "\"d\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[12,28]}}";
        Path f = handMade(header, data.array());
        Map<String, HostTensor> t = SafeTensors.read(f);
        assertArrayEquals(new float[]{1f, -2f, 0.5f}, t.get("h").floats());
        assertArrayEquals(new float[]{1f, -2.5f, 3.140625f}, t.get("b").floats());
        assertArrayEquals(new long[]{1, 3}, t.get("b").shape());
        assertArrayEquals(new float[]{0.25f, -1e10f}, t.get("d").floats());
        assertEquals(HostTensor.DType.F32, t.get("h").dtype());
    }

    @Test
    void truncatedFile() throws IOException {
        Path f = dir.resolve("t.safetensors");
        SafeTensors.write(f, Map.of("w", HostTensor.of(new float[]{1, 2, 3, 4}, 4)), Map.of());
        long size = Files.size(f);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(size - 4);
        }
        assertFails(f, "'w' byte range [0, 16) lies outside the data section of 12 bytes (file truncated");
        Files.write(f, new byte[]{1, 2, 3});
        assertFails(f, "truncated (3 bytes)");
    }

    @Test
    void garbageHeaderLength() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 50);
        Path f = dir.resolve("g.safetensors");
        Files.write(f, b.array());
        assertFails(f, "corrupt header length " + (1L << 50));
        b.clear();
        b.putLong(-5);
        Files.write(f, b.array());
        assertFails(f, "corrupt header length -5");
    }

    @Test
    void garbageHeaderJson() throws IOException {
        assertFails(handMade("{\"w\": {\"dtype\": \"F32\", ", new byte[0]), "corrupt header: malformed JSON");
        assertFails(handMade("[1, 2]", new byte[0]), "header is not a JSON object");
        assertFails(handMade("{\"w\": 3}", new byte[0]), "header entry 'w' is not an object");
    }

    @Test
    void offsetsOutsideFile() throws IOException {
        assertFails(handMade("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]}}", new byte[8]),
                "'w' byte range [8, 16) lies outside the data section of 8 bytes");
        assertFails(handMade("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}", new byte[8]),
                "'w' byte range [-8, 0) lies outside");
    }

    @Test
    void overlappingAndGappedOffsets() throws IOException {
        assertFails(handMade("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]),
                "'b' starts at byte 4, overlapping the previous tensor");
        assertFails(handMade("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", new byte[12]),
                "'b' starts at byte 8, leaving a gap after byte 4");
        assertFails(handMade("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[12]),
                "data section is 12 bytes but the header describes 4 (trailing garbage)");
    }

    @Test
    void badEntries() throws IOException {
        assertFails(handMade("{\"w\":{\"dtype\":\"U8\",\"shape\":[4],\"data_offsets\":[0,4]}}", new byte[4]),
                "'w' has unsupported dtype U8");
        assertFails(handMade("{\"w\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]),
                "'w' has 8 bytes for 3 elements of F32");
        assertFails(handMade("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", new byte[4]),
                "'w' has an invalid shape");
        assertFails(handMade("{\"w\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", new byte[4]), "'w' has no shape");
        assertFails(handMade("{\"w\":{\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]), "'w' has no dtype");
        assertFails(handMade("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", new byte[4]),
                "'w' has invalid data_offsets");
        assertFails(dir.resolve("absent.safetensors"), "safetensors file not found");
    }

    private void assertFails(Path f, String expected) {
        CheckpointException e = assertThrows(CheckpointException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains(expected), "message: " + e.getMessage());
    }

    private int counter;

    /** A file with the given header text (not padded) followed by data. */
    private Path handMade(String header, byte[] data) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h).put(data);
        Path f = dir.resolve("hand" + (counter++) + ".safetensors");
        Files.write(f, b.array());
        return f;
    }

    private static long headerLength(Path f) {
        try {
            byte[] first = new byte[8];
            System.arraycopy(Files.readAllBytes(f), 0, first, 0, 8);
            return ByteBuffer.wrap(first).order(ByteOrder.LITTLE_ENDIAN).getLong();
        } catch (IOException e) {
            throw new RuntimeException(e);
        }
    }
}

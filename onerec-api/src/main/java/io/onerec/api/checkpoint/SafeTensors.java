package io.onerec.api.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and writes the safetensors format (8-byte little-endian header length, a JSON header naming each tensor's
 * dtype, shape and byte range, then the raw little-endian data), so checkpoints interoperate with Hugging Face
 * tooling. Every header field is validated against the file before any data is read: a truncated or corrupt file
 * fails with a {@link CheckpointException} that says what is wrong.
 */
public final class SafeTensors {
    /** Upper bound on the header, far above any real model's, so a garbage length fails fast. */
    private static final long MAX_HEADER_BYTES = 100L << 20;

    private SafeTensors() {
    }

    /** Writes tensors (in map order) and string metadata; the file is replaced atomically. */
    public static void write(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata) {
        Map<String, Object> header = new LinkedHashMap<>();
        if (metadata != null && !metadata.isEmpty()) {
            header.put("__metadata__", new LinkedHashMap<>(metadata));
        }
        long offset = 0;
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            HostTensor t = e.getValue();
            long bytes = t.numel() * elementSize(t.dtype().name());
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", t.dtype().name());
            entry.put("shape", t.shape());
            entry.put("data_offsets", new long[]{offset, offset + bytes});
            header.put(e.getKey(), entry);
            offset += bytes;
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) & ~7; // the format aligns data to 8 bytes; pad the header with spaces
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
                head.putLong(padded).put(json);
                while (head.hasRemaining()) head.put((byte) ' ');
                head.flip();
                writeFully(ch, head);
                ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
                for (HostTensor t : tensors.values()) {
                    writeData(ch, buf, t);
                }
                buf.flip();
                writeFully(ch, buf);
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new CheckpointException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static void writeData(FileChannel ch, ByteBuffer buf, HostTensor t) throws IOException {
        int n = (int) t.numel();
        switch (t.dtype()) {
            case F32 -> {
                float[] a = t.floats();
                for (int i = 0; i < n; i++) {
                    if (buf.remaining() < 4) flush(ch, buf);
                    buf.putFloat(a[i]);
                }
            }
            case I32 -> {
                int[] a = t.ints();
                for (int i = 0; i < n; i++) {
                    if (buf.remaining() < 4) flush(ch, buf);
                    buf.putInt(a[i]);
                }
            }
            case I64 -> {
                long[] a = t.longs();
                for (int i = 0; i < n; i++) {
                    if (buf.remaining() < 8) flush(ch, buf);
                    buf.putLong(a[i]);
                }
            }
        }
    }

    private static void flush(FileChannel ch, ByteBuffer buf) throws IOException {
        buf.flip();
        writeFully(ch, buf);
        buf.clear();
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) ch.write(b);
    }

    /** Reads every tensor, in file order. */
    public static Map<String, HostTensor> read(Path file) {
        return open(file).tensors;
    }

    /** The {@code __metadata__} strings of a file (empty when it has none). */
    public static Map<String, String> readMetadata(Path file) {
        return open(file).metadata;
    }

    private record Contents(Map<String, HostTensor> tensors, Map<String, String> metadata) {
    }

    private record Entry(String name, String dtype, long[] shape, long begin, long end) {
    }

    @SuppressWarnings("unchecked")
    private static Contents open(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException("safetensors file not found: " + file);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw new CheckpointException(file + ": truncated (" + size + " bytes), no header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, 0);
            long headerLen = lenBuf.flip().getLong();
            if (headerLen <= 0 || headerLen > MAX_HEADER_BYTES || headerLen > size - 8) {
                throw new CheckpointException(file + ": corrupt header length " + headerLen + " for a file of " + size + " bytes");
            }
            ByteBuffer headBuf = ByteBuffer.allocate((int) headerLen);
            readFully(ch, headBuf, 8);
            String headerJson = new String(headBuf.array(), StandardCharsets.UTF_8);
            Object parsed;
            try {
                parsed = Json.parse(headerJson.strip());
            } catch (CheckpointException e) {
                throw new CheckpointException(file + ": corrupt header: " + e.getMessage(), e);
            }
            if (!(parsed instanceof Map<?, ?> header)) {
                throw new CheckpointException(file + ": header is not a JSON object");
            }
            long dataStart = 8 + headerLen;
            long dataSize = size - dataStart;
            Map<String, String> metadata = new LinkedHashMap<>();
            List<Entry> entries = new ArrayList<>();
            for (Map.Entry<?, ?> e : header.entrySet()) {
                String name = (String) e.getKey();
                if (name.equals("__metadata__")) {
                    if (e.getValue() instanceof Map<?, ?> m) {
                        m.forEach((k, v) -> metadata.put(String.valueOf(k), String.valueOf(v)));
                    }
                    continue;
                }
                entries.add(entry(file, name, e.getValue(), dataSize));
            }
            entries.sort((a, b) -> Long.compare(a.begin, b.begin));
            long expect = 0;
            for (Entry en : entries) {
                if (en.begin != expect) {
                    throw new CheckpointException(file + ": tensor '" + en.name + "' starts at byte " + en.begin
                            + (en.begin < expect ? ", overlapping the previous tensor" : ", leaving a gap after byte " + expect));
                }
                expect = en.end;
            }
            if (expect != dataSize) {
                throw new CheckpointException(file + ": data section is " + dataSize + " bytes but the header describes " + expect
                        + (dataSize < expect ? " (file truncated)" : " (trailing garbage)"));
            }
            Map<String, HostTensor> tensors = new LinkedHashMap<>();
            for (Entry en : entries) {
                tensors.put(en.name, load(ch, dataStart, en));
            }
            // Keep the header's order for callers that iterate.
            Map<String, HostTensor> ordered = new LinkedHashMap<>();
            for (Object k : header.keySet()) {
                if (tensors.containsKey(k)) ordered.put((String) k, tensors.get(k));
            }
            return new Contents(ordered, metadata);
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static Entry entry(Path file, String name, Object value, long dataSize) {
        if (!(value instanceof Map<?, ?> m)) {
            throw new CheckpointException(file + ": header entry '" + name + "' is not an object");
        }
        if (!(m.get("dtype") instanceof String dtype)) {
            throw new CheckpointException(file + ": tensor '" + name + "' has no dtype");
        }
        long elem = elementSizeOrThrow(file, name, dtype);
        if (!(m.get("shape") instanceof List<?> shapeList)) {
            throw new CheckpointException(file + ": tensor '" + name + "' has no shape");
        }
        long[] shape = new long[shapeList.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(shapeList.get(i) instanceof Long d) || d < 0) {
                throw new CheckpointException(file + ": tensor '" + name + "' has an invalid shape " + shapeList);
            }
            shape[i] = d;
        }
        if (!(m.get("data_offsets") instanceof List<?> off) || off.size() != 2
                || !(off.get(0) instanceof Long begin) || !(off.get(1) instanceof Long end)) {
            throw new CheckpointException(file + ": tensor '" + name + "' has invalid data_offsets " + m.get("data_offsets"));
        }
        long numel;
        try {
            numel = HostTensor.numel(shape);
        } catch (ArithmeticException ex) {
            throw new CheckpointException(file + ": tensor '" + name + "' shape overflows");
        }
        if (begin < 0 || end < begin || end > dataSize) {
            throw new CheckpointException(file + ": tensor '" + name + "' byte range [" + begin + ", " + end
                    + ") lies outside the data section of " + dataSize + " bytes (file truncated or corrupt)");
        }
        if (end - begin != numel * elem) {
            throw new CheckpointException(file + ": tensor '" + name + "' has " + (end - begin) + " bytes for " + numel
                    + " elements of " + dtype);
        }
        if (numel > Integer.MAX_VALUE - 8) {
            throw new CheckpointException(file + ": tensor '" + name + "' has " + numel + " elements, more than a Java array holds");
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static HostTensor load(FileChannel ch, long dataStart, Entry en) throws IOException {
        int n = (int) ((en.end - en.begin) / elementSize(en.dtype));
        ByteBuffer b;
        if (en.end == en.begin) {
            b = ByteBuffer.allocate(0);
        } else {
            MappedByteBuffer mapped = ch.map(FileChannel.MapMode.READ_ONLY, dataStart + en.begin, en.end - en.begin);
            b = mapped;
        }
        b.order(ByteOrder.LITTLE_ENDIAN);
        switch (en.dtype) {
            case "F32" -> {
                float[] a = new float[n];
                b.asFloatBuffer().get(a);
                return HostTensor.of(a, en.shape);
            }
            case "F64" -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) a[i] = (float) b.getDouble(i * 8);
                return HostTensor.of(a, en.shape);
            }
            case "F16" -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) a[i] = Float.float16ToFloat(b.getShort(i * 2));
                return HostTensor.of(a, en.shape);
            }
            case "BF16" -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) a[i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
                return HostTensor.of(a, en.shape);
            }
            case "I32" -> {
                int[] a = new int[n];
                b.asIntBuffer().get(a);
                return HostTensor.ofInts(a, en.shape);
            }
            case "I64" -> {
                long[] a = new long[n];
                b.asLongBuffer().get(a);
                return HostTensor.ofLongs(a, en.shape);
            }
            default -> throw new IllegalStateException(en.dtype);
        }
    }

    private static long elementSizeOrThrow(Path file, String name, String dtype) {
        long s = elementSize(dtype);
        if (s < 0) {
            throw new CheckpointException(file + ": tensor '" + name + "' has unsupported dtype " + dtype
                    + " (supported: F32, F64, F16, BF16, I32, I64)");
        }
        return s;
    }

    private static long elementSize(String dtype) {
        return switch (dtype) {
            case "F32", "I32" -> 4;
            case "F64", "I64" -> 8;
            case "F16", "BF16" -> 2;
            default -> -1;
        };
    }

    private static void readFully(FileChannel ch, ByteBuffer b, long pos) throws IOException {
        while (b.hasRemaining()) {
            int r = ch.read(b, pos);
            if (r < 0) throw new IOException("unexpected end of file");
            pos += r;
        }
    }
}

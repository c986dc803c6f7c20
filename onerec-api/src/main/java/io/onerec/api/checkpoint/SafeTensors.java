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
        try (Reader r = open(file)) {
            Map<String, HostTensor> out = new LinkedHashMap<>();
            for (String name : r.tensors().keySet()) out.put(name, r.read(name));
            return out;
        }
    }

    /** The {@code __metadata__} strings of a file (empty when it has none). */
    public static Map<String, String> readMetadata(Path file) {
        try (Reader r = open(file)) {
            return r.metadata();
        }
    }

    /**
     * One tensor as the header describes it, known before any of its data is read.
     *
     * @param dtype the on-disk type (F32, F64, F16, BF16, I32, I64)
     * @param bytes its size in the data section
     */
    public record TensorInfo(String name, String dtype, long[] shape, long bytes) {
        public TensorInfo {
            shape = shape.clone();
        }

        @Override
        public long[] shape() {
            return shape.clone();
        }

        /** Whether the data is floating point (read as F32 whatever its width on disk). */
        public boolean floating() {
            return switch (dtype) {
                case "F32", "F64", "F16", "BF16" -> true;
                default -> false;
            };
        }

        public long numel() {
            return HostTensor.numel(shape);
        }
    }

    /**
     * Opens a file and validates its header (lengths, dtypes, shapes, byte ranges that tile the data section) without
     * reading any tensor data, so a caller can compare names, shapes and sizes with what it expects before the
     * weights take any memory.
     */
    public static Reader open(Path file) {
        return open(file, CHUNK_BYTES);
    }

    /** {@link #open(Path)} mapping at most {@code chunkBytes} at a time (small in tests, to cover the chunking). */
    static Reader open(Path file, long chunkBytes) {
        if (!Files.isRegularFile(file)) {
            throw new CheckpointException("safetensors file not found: " + file);
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(file, StandardOpenOption.READ);
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        }
        try {
            return new Reader(file, ch, chunkBytes);
        } catch (RuntimeException e) {
            closeQuietly(ch);
            throw e;
        } catch (IOException e) {
            closeQuietly(ch);
            throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            ch.close();
        } catch (IOException ignored) {
            // the read error is what matters
        }
    }

    private record Entry(String name, String dtype, long[] shape, long begin, long end) {
    }

    /** An open safetensors file whose header has been validated; tensors are read one at a time, on request. */
    public static final class Reader implements AutoCloseable {
        private final Path file;
        private final FileChannel ch;
        private final long chunkBytes;
        private final long dataStart;
        private final Map<String, Entry> entries = new LinkedHashMap<>();
        private final Map<String, TensorInfo> infos = new LinkedHashMap<>();
        private final Map<String, String> metadata = new LinkedHashMap<>();

        private Reader(Path file, FileChannel ch, long chunkBytes) throws IOException {
            this.file = file;
            this.ch = ch;
            this.chunkBytes = chunkBytes;
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
            dataStart = 8 + headerLen;
            long dataSize = size - dataStart;
            List<Entry> list = new ArrayList<>();
            for (Map.Entry<?, ?> e : header.entrySet()) {
                String name = (String) e.getKey();
                if (name.equals("__metadata__")) {
                    if (e.getValue() instanceof Map<?, ?> m) {
                        m.forEach((k, v) -> metadata.put(String.valueOf(k), String.valueOf(v)));
                    }
                    continue;
                }
                list.add(entry(file, name, e.getValue(), dataSize));
            }
            List<Entry> byOffset = new ArrayList<>(list);
            byOffset.sort((a, b) -> Long.compare(a.begin, b.begin));
            long expect = 0;
            for (Entry en : byOffset) {
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
            // The header's order, for callers that iterate.
            for (Entry en : list) {
                entries.put(en.name, en);
                infos.put(en.name, new TensorInfo(en.name, en.dtype, en.shape, en.end - en.begin));
            }
        }

        public Path file() {
            return file;
        }

        /** Every tensor's header entry, in header order. */
        public Map<String, TensorInfo> tensors() {
            return java.util.Collections.unmodifiableMap(infos);
        }

        public Map<String, String> metadata() {
            return java.util.Collections.unmodifiableMap(metadata);
        }

        /** Reads one tensor into the heap (floating types widened or narrowed to F32). */
        public HostTensor read(String name) {
            Entry en = entries.get(name);
            if (en == null) throw new CheckpointException(file + ": no tensor '" + name + "'");
            try {
                return load(ch, dataStart, en, chunkBytes);
            } catch (IOException e) {
                throw new CheckpointException("cannot read tensor '" + name + "' of " + file + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            closeQuietly(ch);
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
        if (numel > CheckpointLimits.MAX_TENSOR_ELEMENTS) {
            throw new CheckpointException(file + ": tensor '" + name + "' has " + numel + " elements, more than a Java array holds ("
                    + CheckpointLimits.MAX_TENSOR_ELEMENTS + ")");
        }
        if (end - begin != numel * elem) {
            throw new CheckpointException(file + ": tensor '" + name + "' has " + (end - begin) + " bytes for " + numel
                    + " elements of " + dtype);
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    /** Bytes mapped at a time: a mapping cannot exceed 2 GiB, and tensors of F32 may (up to 8 GiB). */
    private static final long CHUNK_BYTES = 1L << 28;

    private static HostTensor load(FileChannel ch, long dataStart, Entry en, long chunkBytes) throws IOException {
        long elem = elementSize(en.dtype);
        int n = (int) ((en.end - en.begin) / elem);
        float[] f = null;
        int[] ints = null;
        long[] longs = null;
        switch (en.dtype) {
            case "I32" -> ints = new int[n];
            case "I64" -> longs = new long[n];
            default -> f = new float[n];
        }
        // Map and convert a chunk at a time: no mapping exceeds the 2 GiB a ByteBuffer can address.
        long chunkElems = Math.max(1, chunkBytes / elem);
        for (long first = 0; first < n; first += chunkElems) {
            int count = (int) Math.min(chunkElems, n - first);
            MappedByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, dataStart + en.begin + first * elem, count * elem);
            b.order(ByteOrder.LITTLE_ENDIAN);
            int at = (int) first;
            switch (en.dtype) {
                case "F32" -> b.asFloatBuffer().get(f, at, count);
                case "F64" -> {
                    for (int i = 0; i < count; i++) f[at + i] = (float) b.getDouble(i * 8);
                }
                case "F16" -> {
                    for (int i = 0; i < count; i++) f[at + i] = Float.float16ToFloat(b.getShort(i * 2));
                }
                case "BF16" -> {
                    for (int i = 0; i < count; i++) f[at + i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xffff) << 16);
                }
                case "I32" -> b.asIntBuffer().get(ints, at, count);
                case "I64" -> b.asLongBuffer().get(longs, at, count);
                default -> throw new IllegalStateException(en.dtype);
            }
        }
        return switch (en.dtype) {
            case "I32" -> HostTensor.ofInts(ints, en.shape);
            case "I64" -> HostTensor.ofLongs(longs, en.shape);
            default -> HostTensor.of(f, en.shape);
        };
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

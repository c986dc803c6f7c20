package io.onerec.testing;

import io.onerec.api.checkpoint.HostTensor;
import io.onerec.api.checkpoint.Json;
import io.onerec.api.reasoner.QwenCheckpoint;
import io.onerec.api.reasoner.QwenConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Checkpoints as Hugging Face publishes them, for the loaders' tests: {@code config.json} with HF keys, the weights
 * as BF16 in {@code model-0000i-of-0000n.safetensors} shards, and {@code model.safetensors.index.json} mapping every
 * tensor to its shard. {@link io.onerec.api.checkpoint.SafeTensors} writes only float32, so the shards are written
 * here byte by byte, following the safetensors format.
 */
public final class HfCheckpoints {
    private HfCheckpoints() {
    }

    /** A Qwen3-shaped config (q/k norm, no biases, grouped KV heads, untied head) over {@code vocab} tokens. */
    public static QwenConfig qwen3(int vocab, int hidden, int layers, int heads, int kvHeads) {
        return new QwenConfig(vocab, hidden, hidden * 3, layers, heads, kvHeads, hidden / heads, 1_000_000.0, 1e-6, false, false, true);
    }

    /** Random weights for every tensor the config implies: N(0, 0.1) matrices, norms near 1. */
    public static Map<String, HostTensor> randomWeights(QwenConfig config, long seed) {
        Random r = new Random(seed);
        Map<String, HostTensor> out = new LinkedHashMap<>();
        config.parameterShapes().forEach((name, shape) -> {
            float[] data = new float[Math.toIntExact(java.util.Arrays.stream(shape).reduce(1, (a, b) -> a * b))];
            boolean norm = name.endsWith("norm.weight");
            for (int i = 0; i < data.length; i++) data[i] = norm ? 1f + 0.1f * (float) r.nextGaussian() : 0.1f * (float) r.nextGaussian();
            out.put(name, HostTensor.of(data, shape));
        });
        return out;
    }

    /** The BF16 bits of {@code v}, rounded to nearest even as PyTorch does (NaN stays NaN). */
    public static short bf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        if (Float.isNaN(v)) return (short) ((bits >>> 16) | 0x40);
        return (short) ((bits + 0x7fff + ((bits >>> 16) & 1)) >>> 16);
    }

    /** {@code v} after a round trip through BF16: what a loader of a BF16 checkpoint must produce. */
    public static float roundToBf16(float v) {
        return Float.intBitsToFloat((bf16(v) & 0xffff) << 16);
    }

    /** Every tensor rounded to BF16, still float32: the weights a BF16 checkpoint of {@code tensors} holds. */
    public static Map<String, HostTensor> roundedToBf16(Map<String, HostTensor> tensors) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        tensors.forEach((name, t) -> {
            float[] f = t.floats().clone();
            for (int i = 0; i < f.length; i++) f[i] = roundToBf16(f[i]);
            out.put(name, HostTensor.of(f, t.shape()));
        });
        return out;
    }

    /** The shard names HF uses: {@code model-00001-of-00002.safetensors}, ... */
    public static String shardName(int index, int count) {
        return String.format("model-%05d-of-%05d.safetensors", index + 1, count);
    }

    /**
     * Writes {@code config.json} (plus {@code torch_dtype: bfloat16}), the tensors in map order split into
     * {@code shards} contiguous groups as BF16, and the index. Returns the directory.
     */
    public static Path writeSharded(Path dir, QwenConfig config, Map<String, HostTensor> tensors, int shards) {
        if (shards < 1 || shards > tensors.size()) throw new IllegalArgumentException("cannot split " + tensors.size() + " tensors into " + shards + " shards");
        List<String> names = new ArrayList<>(tensors.keySet());
        Map<String, Object> weightMap = new LinkedHashMap<>();
        long totalBytes = 0;
        try {
            Files.createDirectories(dir);
            Map<String, Object> cfg = new LinkedHashMap<>(config.toHf().asMap());
            cfg.put("torch_dtype", "bfloat16");
            Files.writeString(dir.resolve(QwenCheckpoint.CONFIG_FILE), Json.write(cfg));
            for (int s = 0; s < shards; s++) {
                int from = names.size() * s / shards, to = names.size() * (s + 1) / shards;
                Map<String, HostTensor> part = new LinkedHashMap<>();
                for (String n : names.subList(from, to)) {
                    part.put(n, tensors.get(n));
                    weightMap.put(n, shardName(s, shards));
                }
                totalBytes += writeBf16(dir.resolve(shardName(s, shards)), part);
            }
            Map<String, Object> index = new LinkedHashMap<>();
            index.put("metadata", Map.of("total_size", totalBytes));
            index.put("weight_map", weightMap);
            Files.writeString(dir.resolve(QwenCheckpoint.INDEX_FILE), Json.write(index));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return dir;
    }

    /** One safetensors file with every tensor as BF16; returns the data bytes written. */
    public static long writeBf16(Path file, Map<String, HostTensor> tensors) throws IOException {
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("__metadata__", Map.of("format", "pt"));
        long offset = 0;
        for (Map.Entry<String, HostTensor> e : tensors.entrySet()) {
            long bytes = e.getValue().numel() * 2;
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("dtype", "BF16");
            entry.put("shape", e.getValue().shape());
            entry.put("data_offsets", new long[]{offset, offset + bytes});
            header.put(e.getKey(), entry);
            offset += bytes;
        }
        byte[] json = Json.write(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) & ~7;
        ByteBuffer b = ByteBuffer.allocate(Math.toIntExact(8 + padded + offset)).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(padded).put(json);
        while (b.position() < 8 + padded) b.put((byte) ' ');
        for (HostTensor t : tensors.values()) {
            for (float v : t.floats()) b.putShort(bf16(v));
        }
        Files.write(file, b.array());
        return offset;
    }

    /** Overwrites one BF16 element of a tensor in whichever shard holds it (to poison a checkpoint after writing). */
    public static void setBf16(Path dir, String tensor, int element, short bits) throws IOException {
        for (int s = 1; ; s++) {
            Path file = null;
            try (var files = Files.list(dir)) {
                file = files.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().skip(s - 1).findFirst().orElse(null);
            }
            if (file == null) throw new IllegalArgumentException("no shard in " + dir + " holds " + tensor);
            byte[] bytes = Files.readAllBytes(file);
            ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            int headerLength = Math.toIntExact(b.getLong(0));
            @SuppressWarnings("unchecked")
            Map<String, Object> header = (Map<String, Object>) Json.parse(new String(bytes, 8, headerLength, StandardCharsets.UTF_8));
            if (!(header.get(tensor) instanceof Map<?, ?> entry)) continue;
            long begin = ((Number) ((List<?>) entry.get("data_offsets")).getFirst()).longValue();
            b.putShort(Math.toIntExact(8 + headerLength + begin + 2L * element), bits);
            Files.write(file, bytes);
            return;
        }
    }
}

package io.onerec.api.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A checkpoint directory shared by all backends: {@value #CONFIG_FILE} (the model's config plus {@code kind} and
 * {@code format_version}) and {@value #WEIGHTS_FILE} (safetensors). The kind (e.g. "onerec-generator") guards
 * against loading one model's checkpoint into another.
 */
public final class Checkpoint {
    public static final String CONFIG_FILE = "config.json";
    public static final String WEIGHTS_FILE = "model.safetensors";
    public static final int FORMAT_VERSION = 1;

    private final Path dir;
    private final String kind;
    private final JsonConfig config;
    private final Map<String, HostTensor> tensors;

    private Checkpoint(Path dir, String kind, JsonConfig config, Map<String, HostTensor> tensors) {
        this.dir = dir;
        this.kind = kind;
        this.config = config;
        this.tensors = tensors;
    }

    public static void write(Path dir, String kind, JsonConfig config, Map<String, HostTensor> tensors) {
        JsonConfig.Builder b = JsonConfig.builder().put("kind", kind).put("format_version", FORMAT_VERSION);
        config.asMap().forEach((k, v) -> {
            if (!k.equals("kind") && !k.equals("format_version")) b.put(k, v);
        });
        try {
            Files.createDirectories(dir);
            SafeTensors.write(dir.resolve(WEIGHTS_FILE), tensors, Map.of("kind", kind));
            Files.writeString(dir.resolve(CONFIG_FILE), b.build().toJson(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CheckpointException("cannot write checkpoint " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads a checkpoint and checks that it is of the expected kind; every floating-point tensor must hold finite
     * values only.
     */
    public static Checkpoint read(Path dir, String expectedKind) {
        JsonConfig config = readConfig(dir, expectedKind);
        Path weights = dir.resolve(WEIGHTS_FILE);
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        try (SafeTensors.Reader r = SafeTensors.open(weights)) {
            for (String name : r.tensors().keySet()) tensors.put(name, readChecked(r, name));
        }
        return new Checkpoint(dir, kind(config), config, Collections.unmodifiableMap(tensors));
    }

    /**
     * Reads a checkpoint whose config determines exactly which tensors it holds. {@code layout} turns the config into
     * every tensor's name and shape (an {@link IllegalArgumentException} from it, such as a value out of range, is
     * reported against {@value #CONFIG_FILE}). The safetensors header is then checked against that layout before
     * any tensor data is read: each named tensor present, floating point, of exactly its shape; no tensor the layout
     * does not name. Tensors are then read one at a time and checked to hold finite values only. Every failure is a
     * {@link CheckpointException} naming the file and the tensor or key.
     */
    public static Checkpoint read(Path dir, String expectedKind, Function<JsonConfig, Map<String, long[]>> layout) {
        JsonConfig config = readConfig(dir, expectedKind);
        Map<String, long[]> shapes = layoutOf(config, dir.resolve(CONFIG_FILE), layout);
        Path weights = dir.resolve(WEIGHTS_FILE);
        try (SafeTensors.Reader r = SafeTensors.open(weights)) {
            requireLayout(r.tensors(), shapes, weights, true);
            requireHeapFor(shapes, weights);
            Map<String, HostTensor> tensors = new LinkedHashMap<>();
            for (String name : shapes.keySet()) tensors.put(name, readChecked(r, name));
            return new Checkpoint(dir, kind(config), config, Collections.unmodifiableMap(tensors));
        }
    }

    /**
     * The layout a config implies, checked to be loadable ({@link CheckpointLimits#requireLoadable}); a bad config
     * value is a {@link CheckpointException} naming {@code configFile}.
     */
    public static Map<String, long[]> layoutOf(JsonConfig config, Path configFile, Function<JsonConfig, Map<String, long[]>> layout) {
        try {
            Map<String, long[]> shapes = layout.apply(config);
            CheckpointLimits.requireLoadable(shapes);
            return shapes;
        } catch (CheckpointException e) {
            throw e.getMessage().startsWith(configFile.toString()) ? e : new CheckpointException(configFile + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(configFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Compares a file's header with the tensors expected in it, before any data is read: each expected tensor
     * present, floating point and of exactly its shape, and (when {@code exact}) nothing else.
     */
    public static void requireLayout(Map<String, SafeTensors.TensorInfo> found, Map<String, long[]> expected, Path file, boolean exact) {
        for (Map.Entry<String, long[]> e : expected.entrySet()) {
            SafeTensors.TensorInfo t = found.get(e.getKey());
            if (t == null) throw new CheckpointException(file + ": missing tensor '" + e.getKey() + "'");
            if (!t.floating()) {
                throw new CheckpointException(file + ": tensor '" + e.getKey() + "' is " + t.dtype() + ", expected a floating-point type (F32, F16, BF16, F64)");
            }
            if (!Arrays.equals(t.shape(), e.getValue())) {
                throw new CheckpointException(file + ": tensor '" + e.getKey() + "' has shape " + Arrays.toString(t.shape())
                        + ", expected " + Arrays.toString(e.getValue()));
            }
        }
        if (exact) {
            for (String name : found.keySet()) {
                if (!expected.containsKey(name)) {
                    throw new CheckpointException(file + ": unexpected tensor '" + name + "' that the config does not name");
                }
            }
        }
    }

    /**
     * Fails with a clear message, before any data is read, when the float32 copies of {@code shapes} alone would
     * exceed the JVM's maximum heap (instead of an {@link OutOfMemoryError} partway through the load).
     */
    public static void requireHeapFor(Map<String, long[]> shapes, Path file) {
        long bytes = 0;
        for (long[] shape : shapes.values()) bytes += HostTensor.numel(shape) * Float.BYTES;
        long max = Runtime.getRuntime().maxMemory();
        if (max != Long.MAX_VALUE && bytes > max) {
            throw new CheckpointException(file + ": the weights need " + (bytes >> 20) + " MiB as float32, more than the JVM's maximum heap of "
                    + (max >> 20) + " MiB (raise -Xmx)");
        }
    }

    /** Reads one tensor; floating-point data must be finite, else a {@link CheckpointException} naming file and tensor. */
    public static HostTensor readChecked(SafeTensors.Reader r, String name) {
        HostTensor t = r.read(name);
        if (t.dtype() == HostTensor.DType.F32) {
            try {
                CheckpointLimits.requireFinite(name, t.floats());
            } catch (CheckpointException e) {
                throw new CheckpointException(r.file() + ": " + e.getMessage(), e);
            }
        }
        return t;
    }

    private static JsonConfig readConfig(Path dir, String expectedKind) {
        Path cfg = dir.resolve(CONFIG_FILE);
        if (!Files.isRegularFile(cfg)) {
            throw new CheckpointException("not a checkpoint directory (no " + CONFIG_FILE + "): " + dir);
        }
        JsonConfig config;
        try {
            config = JsonConfig.parse(Files.readString(cfg, StandardCharsets.UTF_8), cfg.toString());
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + cfg + ": " + e.getMessage(), e);
        }
        String kind = config.getString("kind");
        if (expectedKind != null && !expectedKind.equals(kind)) {
            throw new CheckpointException(dir + " holds a '" + kind + "' checkpoint, expected '" + expectedKind + "'");
        }
        int version = config.getInt("format_version");
        if (version > FORMAT_VERSION) {
            throw new CheckpointException(dir + " has format_version " + version + ", this library reads up to " + FORMAT_VERSION);
        }
        return config;
    }

    private static String kind(JsonConfig config) {
        return config.getString("kind");
    }

    public Path dir() {
        return dir;
    }

    public String kind() {
        return kind;
    }

    public JsonConfig config() {
        return config;
    }

    public Map<String, HostTensor> tensors() {
        return tensors;
    }

    public Set<String> names() {
        return tensors.keySet();
    }

    /** The named tensor; a {@link CheckpointException} naming it when absent. */
    public HostTensor tensor(String name) {
        HostTensor t = tensors.get(name);
        if (t == null) {
            throw new CheckpointException(dir + ": missing tensor '" + name + "'");
        }
        return t;
    }

    /** The named tensor, checked to have exactly this shape. */
    public HostTensor tensor(String name, long... shape) {
        return tensor(name).requireShape(name, shape);
    }
}

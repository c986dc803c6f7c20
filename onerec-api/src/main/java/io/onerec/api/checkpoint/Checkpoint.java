package io.onerec.api.checkpoint;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

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

    /** Reads a checkpoint and checks that it is of the expected kind. */
    public static Checkpoint read(Path dir, String expectedKind) {
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
        Map<String, HostTensor> tensors = SafeTensors.read(dir.resolve(WEIGHTS_FILE));
        return new Checkpoint(dir, kind, config, Collections.unmodifiableMap(new LinkedHashMap<>(tensors)));
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

package io.onerec.api.reasoner;

import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.api.checkpoint.HostTensor;
import io.onerec.api.checkpoint.JsonConfig;
import io.onerec.api.checkpoint.SafeTensors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A Hugging Face Qwen checkpoint directory: {@code config.json} and one or more {@code *.safetensors} files
 * (sharded checkpoints are merged; BF16/F16 are widened to float32 by {@link SafeTensors}). Every tensor the
 * config implies must be present with its shape; tensors the model does not use are ignored.
 */
public record QwenCheckpoint(QwenConfig config, Map<String, HostTensor> tensors) {
    public static final String CONFIG_FILE = "config.json";
    public static final String WEIGHTS_FILE = "model.safetensors";

    public static QwenCheckpoint read(Path dir) {
        Path configFile = dir.resolve(CONFIG_FILE);
        QwenConfig config;
        try {
            config = QwenConfig.fromHf(JsonConfig.parse(Files.readString(configFile), configFile.toString()));
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + configFile + ": " + e.getMessage(), e);
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        } catch (IOException e) {
            throw new CheckpointException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) throw new CheckpointException("no .safetensors file in " + dir);
        Map<String, HostTensor> all = new LinkedHashMap<>();
        for (Path f : files) all.putAll(SafeTensors.read(f));
        Map<String, HostTensor> used = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : config.parameterShapes().entrySet()) {
            HostTensor t = all.get(e.getKey());
            if (t == null) throw new CheckpointException(dir + ": missing tensor '" + e.getKey() + "'");
            used.put(e.getKey(), t.requireShape(e.getKey(), e.getValue()));
        }
        return new QwenCheckpoint(config, used);
    }

    /** Writes {@code config.json} (HF keys) and {@code model.safetensors} (HF tensor names). */
    public void write(Path dir) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(CONFIG_FILE), config.toHf().toJson());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        SafeTensors.write(dir.resolve(WEIGHTS_FILE), tensors, Map.of("format", "pt"));
    }
}

package io.onerec.api.reasoner;

import io.onerec.api.checkpoint.Checkpoint;
import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.api.checkpoint.HostTensor;
import io.onerec.api.checkpoint.JsonConfig;
import io.onerec.api.checkpoint.SafeTensors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Hugging Face Qwen checkpoint directory: {@code config.json} and one or more {@code *.safetensors} files
 * (sharded checkpoints are merged; BF16/F16 are widened to float32 by {@link SafeTensors}). Every tensor the
 * config implies must be present, floating point, with its shape and finite values, all checked from the headers
 * before any data is read. Tensors of layers beyond the config's {@code num_hidden_layers} are rejected (a truncated
 * config would otherwise serve a different model); other tensors the model does not use (buffers some exporters
 * add) are skipped unread.
 */
public record QwenCheckpoint(QwenConfig config, Map<String, HostTensor> tensors) {
    public static final String CONFIG_FILE = "config.json";
    public static final String WEIGHTS_FILE = "model.safetensors";

    public static QwenCheckpoint read(Path dir) {
        Path configFile = dir.resolve(CONFIG_FILE);
        JsonConfig json;
        try {
            json = JsonConfig.parse(Files.readString(configFile), configFile.toString());
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + configFile + ": " + e.getMessage(), e);
        }
        QwenConfig config;
        try {
            config = QwenConfig.fromHf(json);
        } catch (CheckpointException e) {
            throw new CheckpointException(configFile + ": " + e.getMessage(), e);
        }
        Map<String, long[]> shapes = Checkpoint.layoutOf(json, configFile, c -> config.parameterShapes());
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        } catch (IOException e) {
            throw new CheckpointException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        if (files.isEmpty()) throw new CheckpointException("no .safetensors file in " + dir);
        List<SafeTensors.Reader> readers = new ArrayList<>();
        try {
            // Headers first: every expected tensor's presence, dtype and shape is checked before any data is read.
            Map<String, SafeTensors.Reader> owner = new LinkedHashMap<>();
            Map<String, SafeTensors.TensorInfo> found = new LinkedHashMap<>();
            for (Path f : files) {
                SafeTensors.Reader r = SafeTensors.open(f);
                readers.add(r);
                for (Map.Entry<String, SafeTensors.TensorInfo> e : r.tensors().entrySet()) {
                    if (owner.containsKey(e.getKey())) {
                        throw new CheckpointException(dir + ": tensor '" + e.getKey() + "' is in both " + owner.get(e.getKey()).file().getFileName()
                                + " and " + f.getFileName());
                    }
                    owner.put(e.getKey(), r);
                    found.put(e.getKey(), e.getValue());
                }
            }
            Checkpoint.requireLayout(found, shapes, dir, false);
            for (String name : found.keySet()) {
                Matcher m = LAYER.matcher(name);
                if (m.lookingAt() && Long.parseLong(m.group(1)) >= config.numLayers()) {
                    throw new CheckpointException(owner.get(name).file() + ": tensor '" + name + "' belongs to a layer beyond num_hidden_layers = "
                            + config.numLayers() + " of " + configFile);
                }
            }
            Map<String, HostTensor> used = new LinkedHashMap<>();
            for (String name : shapes.keySet()) used.put(name, Checkpoint.readChecked(owner.get(name), name));
            return new QwenCheckpoint(config, used);
        } finally {
            for (SafeTensors.Reader r : readers) r.close();
        }
    }

    /** Decoder layer tensors: {@code model.layers.<i>.}. */
    private static final Pattern LAYER = Pattern.compile("model\\.layers\\.(\\d{1,9})\\.");

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

package io.onerec.api.reasoner;

import io.onerec.api.checkpoint.Checkpoint;
import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.api.checkpoint.CheckpointLimits;
import io.onerec.api.checkpoint.HostTensor;
import io.onerec.api.checkpoint.Json;
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
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A Hugging Face Qwen checkpoint directory: {@code config.json} and one or more {@code *.safetensors} files
 * (sharded checkpoints are merged; BF16/F16 are widened to float32 by {@link SafeTensors}). With an index
 * ({@value #INDEX_FILE}) the shards are exactly the files it names, and each tensor must be in the shard it says. Every tensor the
 * config implies must be present, floating point, with its shape and finite values, all checked from the headers
 * before any data is read. Tensors of layers beyond the config's {@code num_hidden_layers} are rejected (a truncated
 * config would otherwise serve a different model); other tensors the model does not use (buffers some exporters
 * add) are skipped unread.
 */
public record QwenCheckpoint(QwenConfig config, Map<String, HostTensor> tensors) {
    public static final String CONFIG_FILE = "config.json";
    public static final String WEIGHTS_FILE = "model.safetensors";
    /** A sharded checkpoint's map from tensor name to shard file, as Hugging Face writes it. */
    public static final String INDEX_FILE = "model.safetensors.index.json";

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
        Path indexFile = dir.resolve(INDEX_FILE);
        Map<String, String> index = Files.isRegularFile(indexFile) ? readIndex(indexFile) : null;
        if (index != null) files = shardsOf(index, indexFile, files);
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
            if (index != null) requireIndexed(index, indexFile, owner);
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

    /**
     * The {@code weight_map} of a sharded checkpoint's index (tensor name to shard file name); a malformed index, or a
     * shard name that is not a plain file name, is a {@link CheckpointException} naming the index.
     */
    private static Map<String, String> readIndex(Path indexFile) {
        Object root;
        try {
            root = Json.parse(Files.readString(indexFile));
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + indexFile + ": " + e.getMessage(), e);
        } catch (CheckpointException e) {
            throw new CheckpointException(indexFile + ": " + e.getMessage(), e);
        }
        if (!(root instanceof Map<?, ?> m) || !(m.get("weight_map") instanceof Map<?, ?> weightMap)) {
            throw new CheckpointException(indexFile + ": expected an object with a \"weight_map\" object");
        }
        if (weightMap.size() > CheckpointLimits.MAX_TENSORS) {
            throw new CheckpointException(indexFile + ": weight_map names " + weightMap.size() + " tensors, more than " + CheckpointLimits.MAX_TENSORS);
        }
        Map<String, String> index = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : weightMap.entrySet()) {
            if (!(e.getValue() instanceof String shard) || !shard.endsWith(".safetensors") || shard.contains("/") || shard.contains("\\")) {
                throw new CheckpointException(indexFile + ": tensor '" + e.getKey() + "' maps to " + e.getValue()
                        + ", expected the file name of a .safetensors shard in the same directory");
            }
            index.put((String) e.getKey(), shard);
        }
        return index;
    }

    /**
     * The shard files an index names, in name order; each must exist, and the directory must hold no other
     * {@code .safetensors} file (weights saved over a sharded checkpoint would otherwise be ignored or mixed in).
     */
    private static List<Path> shardsOf(Map<String, String> index, Path indexFile, List<Path> present) {
        Path dir = indexFile.getParent();
        List<Path> shards = new TreeSet<>(index.values()).stream().map(dir::resolve).toList();
        for (Path s : shards) {
            if (!Files.isRegularFile(s)) throw new CheckpointException(indexFile + " names shard " + s.getFileName() + ", which is missing");
        }
        for (Path p : present) {
            if (!shards.contains(p)) {
                throw new CheckpointException(p + " is not a shard named by " + indexFile + "; remove the file or the index");
            }
        }
        return shards;
    }

    /** Every tensor of the shards is in the index, in the shard the index says, and every indexed tensor is present. */
    private static void requireIndexed(Map<String, String> index, Path indexFile, Map<String, SafeTensors.Reader> owner) {
        for (Map.Entry<String, SafeTensors.Reader> e : owner.entrySet()) {
            String shard = index.get(e.getKey());
            String actual = e.getValue().file().getFileName().toString();
            if (shard == null) throw new CheckpointException(e.getValue().file() + ": tensor '" + e.getKey() + "' is not in the weight_map of " + indexFile);
            if (!shard.equals(actual)) {
                throw new CheckpointException(indexFile + " maps tensor '" + e.getKey() + "' to " + shard + ", but it is in " + actual);
            }
        }
        for (Map.Entry<String, String> e : index.entrySet()) {
            if (!owner.containsKey(e.getKey())) {
                throw new CheckpointException(indexFile + " maps tensor '" + e.getKey() + "' to " + e.getValue() + ", which does not hold it");
            }
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

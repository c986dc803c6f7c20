package io.onerec.testing;

import io.onerec.api.DecodingOptions;
import io.onerec.api.GeneratedSession;
import io.onerec.api.Generator;
import io.onerec.api.UserHistory;
import io.onerec.api.checkpoint.Checkpoint;
import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.api.checkpoint.HostTensor;
import io.onerec.api.generator.GeneratorConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Poisoned and malformed generator checkpoints, written into a directory, that every backend's loader must reject
 * with a {@link io.onerec.api.checkpoint.CheckpointException} whose message names the problem. Shared by the
 * backends' tests so that both are held to exactly the same list.
 */
public final class CorruptCheckpoints {
    private CorruptCheckpoints() {
    }

    /**
     * One bad checkpoint.
     *
     * @param mentions substrings the loader's message must contain (file, tensor or key)
     */
    public record Case(String name, Path dir, List<String> mentions) {
    }

    /** The generator config every case starts from (2 encoder + 2 decoder layers). */
    public static GeneratorConfig config(int[] codebooks) {
        return TestModels.config(codebooks, 0, 0, 1);
    }

    /** Writes every case under {@code root}. */
    public static List<Case> generatorCases(Path root, int[] codebooks) {
        GeneratorConfig c = config(codebooks);
        List<Case> cases = new ArrayList<>();
        for (String tensor : List.of("lm_head.weight", "decoder.final_norm.weight", "encoder.layers.0.attn.q.weight")) {
            Map<String, HostTensor> t = TestModels.randomTensors(c, 1);
            float[] data = t.get(tensor).floats();
            data[data.length / 2] = Float.NaN;
            cases.add(write(root, "nan-" + tensor, c.toJson().toJson(), t, Checkpoint.WEIGHTS_FILE, tensor));
        }
        Map<String, HostTensor> inf = TestModels.randomTensors(c, 2);
        inf.get("shared.embedding").floats()[0] = Float.NEGATIVE_INFINITY;
        cases.add(write(root, "inf-embedding", c.toJson().toJson(), inf, "shared.embedding", "Infinity"));

        Map<String, HostTensor> junk = TestModels.randomTensors(c, 3);
        junk.put("junk.extra", HostTensor.of(new float[]{1, 2}, 2));
        cases.add(write(root, "junk-tensor", c.toJson().toJson(), junk, Checkpoint.WEIGHTS_FILE, "junk.extra"));

        // A config that names fewer layers than the file holds: must not silently serve a truncated model.
        GeneratorConfig fewer = new GeneratorConfig(c.dModel(), c.nHeads(), c.dFf(), 0, c.decoderLayers(), 0, 0, c.maxHistory(),
                c.codebookSizes(), 0, 1, c.normEps());
        cases.add(write(root, "fewer-encoder-layers", fewer.toJson().toJson(), TestModels.randomTensors(c, 4),
                Checkpoint.WEIGHTS_FILE, "encoder.layers.0"));

        Map<String, HostTensor> missing = TestModels.randomTensors(c, 5);
        missing.remove("decoder.layers.1.cross_attn.v.weight");
        cases.add(write(root, "missing-tensor", c.toJson().toJson(), missing, Checkpoint.WEIGHTS_FILE, "decoder.layers.1.cross_attn.v.weight"));

        Map<String, HostTensor> ints = TestModels.randomTensors(c, 6);
        ints.put("decoder.final_norm.weight", HostTensor.ofInts(new int[c.dModel()], c.dModel()));
        cases.add(write(root, "int-dtype", c.toJson().toJson(), ints, Checkpoint.WEIGHTS_FILE, "decoder.final_norm.weight", "I32"));

        Map<String, HostTensor> shape = TestModels.randomTensors(c, 7);
        shape.put("encoder.layers.0.ffn.wi.weight", HostTensor.of(new float[c.dModel() * c.dModel()], c.dModel(), c.dModel()));
        cases.add(write(root, "wrong-shape", c.toJson().toJson(), shape, Checkpoint.WEIGHTS_FILE, "encoder.layers.0.ffn.wi.weight"));

        String json = c.toJson().toJson();
        cases.add(write(root, "norm-eps-1e400", json.replaceFirst("\"norm_eps\":[^,}]+", "\"norm_eps\":1e400"),
                TestModels.randomTensors(c, 8), Checkpoint.CONFIG_FILE));
        cases.add(write(root, "norm-eps-negative", json.replaceFirst("\"norm_eps\":[^,}]+", "\"norm_eps\":-1.0"),
                TestModels.randomTensors(c, 8), Checkpoint.CONFIG_FILE, "norm_eps"));
        cases.add(write(root, "encoder-layers-max-int", json.replaceFirst("\"encoder_layers\":\\d+", "\"encoder_layers\":2147483647"),
                TestModels.randomTensors(c, 9), Checkpoint.CONFIG_FILE, "encoder_layers"));
        cases.add(write(root, "moe-experts-2e9", json.replaceFirst("\"moe_experts\":\\d+", "\"moe_experts\":2e9"),
                TestModels.randomTensors(c, 10), Checkpoint.CONFIG_FILE, "moe_experts"));
        cases.add(write(root, "d-model-huge", json.replaceFirst("\"d_model\":\\d+", "\"d_model\":1073741824"),
                TestModels.randomTensors(c, 11), Checkpoint.CONFIG_FILE, "d_model"));
        cases.add(write(root, "deep-json", json.replaceFirst("\\{", "{\"x\":" + "[".repeat(5000) + "]".repeat(5000) + ","),
                TestModels.randomTensors(c, 12), Checkpoint.CONFIG_FILE, "nesting"));
        cases.add(write(root, "duplicate-key", json.replaceFirst("\\{", "{\"d_model\":8,"),
                TestModels.randomTensors(c, 13), Checkpoint.CONFIG_FILE, "d_model"));
        return cases;
    }

    /**
     * {@code count} seeded random corruptions of a good checkpoint: bytes of the safetensors header or the config
     * flipped, truncated or overwritten with digits. Each must load cleanly or fail with a CheckpointException; the
     * caller asserts which.
     */
    public static List<Path> fuzzed(Path root, int[] codebooks, int count, long seed) {
        GeneratorConfig c = config(codebooks);
        Path good = TestModels.writeCheckpoint(root.resolve("good"), c, 14);
        byte[] weights = read(good.resolve(Checkpoint.WEIGHTS_FILE));
        byte[] config = read(good.resolve(Checkpoint.CONFIG_FILE));
        int headerEnd = 8 + (int) (weights[0] & 0xff | (weights[1] & 0xff) << 8 | (weights[2] & 0xff) << 16);
        Random r = new Random(seed);
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Path dir = root.resolve("fuzz-" + i);
            byte[] w = weights.clone(), cfg = config.clone();
            boolean onConfig = r.nextInt(3) == 0;
            byte[] target = onConfig ? cfg : w;
            int span = onConfig ? cfg.length : Math.min(headerEnd + 64, w.length);
            switch (r.nextInt(4)) {
                case 0 -> { // flip a few bytes
                    for (int k = 1 + r.nextInt(3); k > 0; k--) target[r.nextInt(span)] ^= (byte) (1 << r.nextInt(8));
                }
                case 1 -> { // a digit where there was something else: numbers grow, shapes change
                    for (int k = 1 + r.nextInt(3); k > 0; k--) target[r.nextInt(span)] = (byte) ('0' + r.nextInt(10));
                }
                case 2 -> { // truncation
                    if (onConfig) cfg = java.util.Arrays.copyOf(cfg, r.nextInt(cfg.length));
                    else w = java.util.Arrays.copyOf(w, r.nextInt(w.length));
                }
                default -> { // a NaN or infinity somewhere in the float data
                    int at = headerEnd + 4 * r.nextInt((w.length - headerEnd) / 4);
                    int bits = Float.floatToRawIntBits(r.nextBoolean() ? Float.NaN : Float.POSITIVE_INFINITY);
                    for (int b = 0; b < 4; b++) w[at + b] = (byte) (bits >>> (8 * b));
                }
            }
            try {
                Files.createDirectories(dir);
                Files.write(dir.resolve(Checkpoint.WEIGHTS_FILE), w);
                Files.write(dir.resolve(Checkpoint.CONFIG_FILE), cfg);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            out.add(dir);
        }
        return out;
    }

    private static Case write(Path root, String name, String configJson, Map<String, HostTensor> tensors, String... mentions) {
        Path dir = root.resolve(name);
        GeneratorConfig c = config(new int[]{1}); // any valid config: Checkpoint.write needs one, the file is replaced below
        Checkpoint.write(dir, GeneratorConfig.CHECKPOINT_KIND, c.toJson(), new LinkedHashMap<>(tensors));
        String json = configJson.replaceFirst("\\{", "{\"kind\":\"" + GeneratorConfig.CHECKPOINT_KIND + "\",\"format_version\":"
                + Checkpoint.FORMAT_VERSION + ",");
        try {
            Files.writeString(dir.resolve(Checkpoint.CONFIG_FILE), json, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String> m = new ArrayList<>();
        for (String s : mentions) m.add(s.equals(Checkpoint.WEIGHTS_FILE) || s.equals(Checkpoint.CONFIG_FILE) ? dir.resolve(s).toString() : s);
        return new Case(name, dir, m);
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Loads every variant with {@code load} (a backend's generator loader) and, where one loads, decodes a user with
     * it: what loads must never serve NaN scores (corruption that passes validation may change the model, not poison
     * it), and finite weights whose arithmetic overflows must be refused with the beam search's IllegalStateException.
     * Returns how many variants were rejected with a {@link CheckpointException}.
     */
    public static int loadAndServe(List<Path> variants, Function<Path, Generator> load) {
        UserHistory user = new UserHistory(1, new int[]{3, 7, 11});
        int rejected = 0;
        for (Path dir : variants) {
            Generator gen;
            try {
                gen = load.apply(dir);
            } catch (CheckpointException e) {
                rejected++;
                continue;
            }
            try (gen) {
                for (GeneratedSession s : gen.generate(user, DecodingOptions.beams(3))) {
                    assertFalse(Double.isNaN(s.logProb()), dir + " served " + s);
                }
            } catch (IllegalStateException e) {
                assertTrue(e.getMessage().contains("NaN log-probabilities"), e.getMessage());
            }
        }
        return rejected;
    }
}

package io.onerec.libtorch.generator;

import io.onerec.api.SemanticIdCodec;
import io.onerec.api.UserHistory;
import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.api.checkpoint.HostTensor;
import io.onerec.api.checkpoint.JsonConfig;
import io.onerec.api.checkpoint.SafeTensors;
import io.onerec.tools.data.NextItemExample;
import io.onerec.tools.eval.EvaluationResult;
import io.onerec.libtorch.Torch;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.Generator;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Everything a generator training run needs to continue, after a stop, exactly as if it had not stopped: the
 * weights, AdamW's per-parameter state (exp_avg, exp_avg_sq, step; LibTorch's own optimizer archive), the position
 * in the run (step, epoch, next batch, the epoch's shuffled order, the running epoch loss), the learning-rate
 * schedule's planned steps, the shuffling RNG and torch's default generators, the early-stopping state (best NDCG@10,
 * its epoch and weights, validations without gain) and the time already spent against the time budget.
 *
 * <p>Layout of a training-state directory: {@value #LATEST_FILE} names the current snapshot directory and the
 * SHA-256 of its {@value #STATE_FILE}; a snapshot holds {@value #STATE_FILE} (counters, the trainer config, codec
 * and data fingerprints, the SHA-256 of every other file), {@code model/} and {@code best/} (checkpoints),
 * {@value #OPTIMIZER_FILE} and {@value #ARRAYS_FILE}. A snapshot is written into a temporary directory and moved into
 * place before {@value #LATEST_FILE} is replaced, so a run killed at any moment leaves the previous snapshot or the
 * new one, never a mix; every file is checked against its digest on reading.
 */
final class TrainingState {
    static final String KIND = "onerec-generator-training-state";
    static final int FORMAT_VERSION = 1;
    static final String LATEST_FILE = "latest";
    static final String STATE_FILE = "state.json";
    static final String OPTIMIZER_FILE = "optimizer.pt";
    static final String ARRAYS_FILE = "trainer.safetensors";
    private static final String MODEL_DIR = "model", BEST_DIR = "best";
    private static final String SNAPSHOT_PREFIX = "step-", TEMP_PREFIX = ".tmp-";

    /**
     * The fit loop's counters at a step boundary. {@code epoch} is the epoch in progress (1-based) or, when
     * {@code epochDone}, the last completed one; {@code nextBatch} is the index of the next batch of that epoch.
     */
    record Position(int epoch, int nextBatch, boolean epochDone, boolean finished, long step, long firstStep,
                    long plannedSteps, long totalSteps, long elapsedNanos, double epochLossSum, int epochLossCount,
                    double lastLoss, double bestNdcg, int bestEpoch, int sinceBest, EvaluationResult bestValidation) {
    }

    private final Path root;
    private final Path snapshot;
    private final JsonConfig json;
    private final Position position;

    private TrainingState(Path root, Path snapshot, JsonConfig json, Position position) {
        this.root = root;
        this.snapshot = snapshot;
        this.json = json;
        this.position = position;
    }

    Position position() {
        return position;
    }

    Path root() {
        return root;
    }

    /** The interval, in optimiser steps, at which the stopped run saved its state. */
    int saveEvery() {
        return json.getInt("save_every");
    }

    // ---------------------------------------------------------------- writing

    /** Writes a snapshot into {@code root} and makes it the current one; returns its directory. */
    static Path write(Path root, Position p, TorchGeneratorModel model, TorchGeneratorModel bestWeights, AdamW optimizer,
                      GeneratorTrainerConfig config, SemanticIdCodec codec, String dataFingerprint, int[] order, Random shuffle,
                      int saveEvery) {
        try {
            Files.createDirectories(root);
            String name = SNAPSHOT_PREFIX + String.format("%09d", p.step()) + (p.epochDone() ? "-end" : "");
            Path target = root.resolve(name);
            if (Files.exists(target)) name += "-" + System.nanoTime();
            target = root.resolve(name);
            Path tmp = root.resolve(TEMP_PREFIX + name);
            deleteRecursively(tmp);
            Files.createDirectories(tmp);

            model.save(tmp.resolve(MODEL_DIR));
            if (bestWeights != null) bestWeights.save(tmp.resolve(BEST_DIR));
            try (PointerScope scope = new PointerScope()) {
                OutputArchive archive = new OutputArchive();
                optimizer.save(archive);
                archive.save_to(tmp.resolve(OPTIMIZER_FILE).toString());
            }
            Map<String, HostTensor> arrays = new LinkedHashMap<>();
            arrays.put("shuffle_order", HostTensor.ofInts(order, order.length));
            byte[] cpu = generatorState(torch.getDefaultCPUGenerator());
            arrays.put("torch_rng_cpu", bytesAsInts(cpu));
            if (Torch.isCuda()) arrays.put("torch_rng_cuda", bytesAsInts(generatorState(cudaGenerator())));
            SafeTensors.write(tmp.resolve(ARRAYS_FILE), arrays, Map.of("kind", KIND));

            JsonConfig.Builder b = JsonConfig.builder()
                    .put("kind", KIND).put("format_version", FORMAT_VERSION)
                    .put("trainer_config", describe(config))
                    .put("codec", codecFingerprint(codec))
                    .put("data", dataFingerprint)
                    .put("save_every", saveEvery)
                    .put("shuffle_rng", Base64.getEncoder().encodeToString(serialize(shuffle)))
                    .put("cuda", Torch.isCuda());
            positionToJson(p, b);
            Map<String, Object> digests = new TreeMap<>();
            for (Path f : files(tmp)) digests.put(tmp.relativize(f).toString(), sha256(f));
            b.put("files", digests);
            byte[] stateJson = b.build().toJson().getBytes(StandardCharsets.UTF_8);
            Files.write(tmp.resolve(STATE_FILE), stateJson);

            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            Path latestTmp = root.resolve(TEMP_PREFIX + LATEST_FILE);
            Files.writeString(latestTmp, name + " " + sha256(stateJson) + "\n", StandardCharsets.UTF_8);
            Files.move(latestTmp, root.resolve(LATEST_FILE), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

            // Only now is the new snapshot the current one; the older ones and any leftovers of a killed write go.
            try (Stream<Path> s = Files.list(root)) {
                for (Path old : s.toList()) {
                    String n = old.getFileName().toString();
                    if (!n.equals(name) && Files.isDirectory(old) && (n.startsWith(SNAPSHOT_PREFIX) || n.startsWith(TEMP_PREFIX))) {
                        deleteRecursively(old);
                    }
                }
            }
            return target;
        } catch (IOException e) {
            throw new CheckpointException("cannot write training state to " + root + ": " + e.getMessage(), e);
        }
    }

    private static void positionToJson(Position p, JsonConfig.Builder b) {
        b.put("epoch", p.epoch()).put("next_batch", p.nextBatch()).put("epoch_done", p.epochDone())
                .put("finished", p.finished()).put("step", p.step()).put("first_step", p.firstStep())
                .put("planned_steps", p.plannedSteps()).put("total_steps", p.totalSteps())
                .put("elapsed_nanos", p.elapsedNanos()).put("epoch_loss_sum", p.epochLossSum())
                .put("epoch_loss_count", p.epochLossCount()).put("best_ndcg", p.bestNdcg())
                .put("best_epoch", p.bestEpoch()).put("since_best", p.sinceBest());
        // NaN (no step yet) has no JSON form; absent means NaN.
        if (!Double.isNaN(p.lastLoss())) b.put("last_loss", p.lastLoss());
        EvaluationResult r = p.bestValidation();
        if (r != null) {
            b.put("best_validation", JsonConfig.builder().put("set", r.set()).put("users", r.users())
                    .put("recall", new TreeMap<>(r.recall())).put("ndcg", new TreeMap<>(r.ndcg())).build());
        }
    }

    // ---------------------------------------------------------------- reading

    /**
     * Reads the current snapshot of {@code root}, checks every file against its digest and the snapshot against this
     * run's trainer config and codec; a {@link CheckpointException} says what is missing, corrupt or different.
     */
    static TrainingState read(Path root, GeneratorTrainerConfig config, SemanticIdCodec codec) {
        Path latest = root.resolve(LATEST_FILE);
        if (!Files.isRegularFile(latest)) {
            throw new CheckpointException("no training state in " + root + ": file '" + LATEST_FILE + "' not found");
        }
        try {
            String[] pointer = Files.readString(latest, StandardCharsets.UTF_8).trim().split(" ");
            if (pointer.length != 2 || !pointer[0].startsWith(SNAPSHOT_PREFIX) || pointer[0].contains("/")) {
                throw new CheckpointException(latest + " is corrupt: expected '<snapshot> <sha256>'");
            }
            Path snapshot = root.resolve(pointer[0]);
            Path stateFile = snapshot.resolve(STATE_FILE);
            if (!Files.isRegularFile(stateFile)) {
                throw new CheckpointException(latest + " names snapshot '" + pointer[0] + "', which has no " + STATE_FILE);
            }
            byte[] stateBytes = Files.readAllBytes(stateFile);
            if (!sha256(stateBytes).equals(pointer[1])) {
                throw new CheckpointException(stateFile + " is corrupt: its SHA-256 differs from the one recorded in " + latest);
            }
            JsonConfig json = JsonConfig.parse(new String(stateBytes, StandardCharsets.UTF_8), stateFile.toString());
            String kind = json.getString("kind");
            if (!KIND.equals(kind)) throw new CheckpointException(stateFile + " holds a '" + kind + "', expected '" + KIND + "'");
            int version = json.getInt("format_version");
            if (version > FORMAT_VERSION) {
                throw new CheckpointException(stateFile + " has format_version " + version + ", this library reads up to " + FORMAT_VERSION);
            }
            Map<String, Object> digests = json.getConfig("files").asMap();
            for (Map.Entry<String, Object> e : digests.entrySet()) {
                Path f = snapshot.resolve(e.getKey());
                if (!Files.isRegularFile(f)) throw new CheckpointException("training state " + snapshot + ": file '" + e.getKey() + "' is missing");
                if (!sha256(f).equals(e.getValue())) {
                    throw new CheckpointException("training state " + snapshot + ": file '" + e.getKey() + "' is corrupt (SHA-256 differs from " + STATE_FILE + ")");
                }
            }
            requireSameConfig(root, json.getConfig("trainer_config"), config);
            String codecSaved = json.getString("codec"), codecNow = codecFingerprint(codec);
            if (!codecSaved.equals(codecNow)) {
                throw new CheckpointException("training state " + root + " was written with another semantic-ID codec (saved "
                        + codecSaved + ", given " + codecNow + ")");
            }
            if (json.getBoolean("cuda") != Torch.isCuda()) {
                throw new CheckpointException("training state " + root + " was written on " + (json.getBoolean("cuda") ? "CUDA" : "CPU")
                        + " and cannot continue on " + (Torch.isCuda() ? "CUDA" : "CPU") + ": the torch generator states differ in kind");
            }
            return new TrainingState(root, snapshot, json, positionFromJson(json));
        } catch (IOException e) {
            throw new CheckpointException("cannot read training state " + root + ": " + e.getMessage(), e);
        }
    }

    private static Position positionFromJson(JsonConfig j) {
        EvaluationResult best = null;
        if (j.has("best_validation")) {
            JsonConfig r = j.getConfig("best_validation");
            best = new EvaluationResult(r.getString("set"), r.getLong("users"), metrics(r.getConfig("recall")), metrics(r.getConfig("ndcg")));
        }
        return new Position(j.getInt("epoch"), j.getInt("next_batch"), j.getBoolean("epoch_done"), j.getBoolean("finished"),
                j.getLong("step"), j.getLong("first_step"), j.getLong("planned_steps"), j.getLong("total_steps"),
                j.getLong("elapsed_nanos"), j.getDouble("epoch_loss_sum"), j.getInt("epoch_loss_count"),
                j.getDouble("last_loss", Double.NaN), j.getDouble("best_ndcg"), j.getInt("best_epoch"), j.getInt("since_best"), best);
    }

    private static SortedMap<Integer, Double> metrics(JsonConfig m) {
        SortedMap<Integer, Double> out = new TreeMap<>();
        for (String k : m.asMap().keySet()) out.put(Integer.parseInt(k), m.getDouble(k));
        return out;
    }

    /** The weights at the snapshot. */
    TorchGeneratorModel loadModel() {
        return TorchGeneratorModel.load(snapshot.resolve(MODEL_DIR));
    }

    /** The best validation epoch's weights, or null when there was no validation yet. */
    TorchGeneratorModel loadBestWeights() {
        Path best = snapshot.resolve(BEST_DIR);
        return Files.isDirectory(best) ? TorchGeneratorModel.load(best) : null;
    }

    /** Loads AdamW's state; the parameters are matched by position, so the optimizer must be over the same model layout. */
    void loadOptimizer(AdamW optimizer) {
        Path file = snapshot.resolve(OPTIMIZER_FILE);
        try (PointerScope scope = new PointerScope()) {
            InputArchive archive = new InputArchive();
            archive.load_from(file.toString(), new DeviceOptional(Torch.device()));
            optimizer.load(archive);
        } catch (RuntimeException e) {
            throw new CheckpointException("cannot load the optimizer state " + file + ": " + e.getMessage(), e);
        }
    }

    /** The epoch's shuffled order, as indices into the training examples. */
    int[] order() {
        return arrays().get("shuffle_order").ints();
    }

    Random shuffleRng() {
        byte[] bytes = Base64.getDecoder().decode(json.getString("shuffle_rng"));
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
            return (Random) in.readObject();
        } catch (IOException | ClassNotFoundException | ClassCastException e) {
            throw new CheckpointException("training state " + snapshot + ": unreadable shuffle_rng: " + e.getMessage(), e);
        }
    }

    /** Sets torch's default generators (CPU, and CUDA when used) to their states at the snapshot. */
    void restoreTorchRng() {
        Map<String, HostTensor> a = arrays();
        setGeneratorState(torch.getDefaultCPUGenerator(), intsAsBytes(a.get("torch_rng_cpu")));
        if (Torch.isCuda()) setGeneratorState(cudaGenerator(), intsAsBytes(a.get("torch_rng_cuda")));
    }

    /** Fails unless {@code fingerprint} (of this run's training and validation examples) is the stopped run's. */
    void requireSameData(String fingerprint) {
        String saved = json.getString("data");
        if (!saved.equals(fingerprint)) {
            throw new CheckpointException("training state " + root + " was written for other training data (saved " + saved
                    + ", this run " + fingerprint + ")");
        }
    }

    private Map<String, HostTensor> arrays() {
        Map<String, HostTensor> a = SafeTensors.read(snapshot.resolve(ARRAYS_FILE));
        for (String name : List.of("shuffle_order", "torch_rng_cpu")) {
            if (!a.containsKey(name)) throw new CheckpointException("training state " + snapshot + ": " + ARRAYS_FILE + " lacks '" + name + "'");
        }
        return a;
    }

    // ---------------------------------------------------------------- fingerprints and config

    /** The config's components by name (numbers, booleans, strings as such; anything else, e.g. a Duration, as text). */
    static Map<String, Object> describe(GeneratorTrainerConfig config) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (RecordComponent c : GeneratorTrainerConfig.class.getRecordComponents()) {
            Object v;
            try {
                v = c.getAccessor().invoke(config);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read GeneratorTrainerConfig." + c.getName(), e);
            }
            out.put(c.getName(), v == null || v instanceof Number || v instanceof Boolean || v instanceof String ? v : v.toString());
        }
        return out;
    }

    /**
     * Trainer-config components added after {@link #FORMAT_VERSION} 1 states were first written, with the value every
     * state written before them trained with: a state that lacks one is compared as if it held that value.
     */
    private static final Map<String, Object> COMPONENTS_ADDED_LATER =
            Map.of("finalLearningRateShare", GeneratorTrainerConfig.DEFAULT_FINAL_LEARNING_RATE_SHARE);

    static void requireSameConfig(Path root, JsonConfig saved, GeneratorTrainerConfig config) {
        Map<String, Object> was = new LinkedHashMap<>(asJson(COMPONENTS_ADDED_LATER)), now = asJson(describe(config));
        was.putAll(saved.asMap());
        List<String> diffs = new ArrayList<>();
        for (String k : new TreeSet<>(union(was.keySet(), now.keySet()))) {
            if (!Objects.equals(was.get(k), now.get(k))) diffs.add(k + " saved " + was.get(k) + ", given " + now.get(k));
        }
        if (!diffs.isEmpty()) {
            throw new CheckpointException("training state " + root + " was written with another trainer config: " + String.join("; ", diffs));
        }
    }

    /** {@code values} as a JSON round trip gives them back (numbers as JsonConfig reads them), for comparison with a saved config. */
    private static Map<String, Object> asJson(Map<String, Object> values) {
        return JsonConfig.builder().put("c", values).build().getConfig("c").asMap();
    }

    private static List<String> union(java.util.Set<String> a, java.util.Set<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    /** SHA-256 over the codebook sizes and every item's SID. */
    static String codecFingerprint(SemanticIdCodec codec) {
        MessageDigest md = sha256();
        ByteBuffer buf = ByteBuffer.allocate(4 * (2 + codec.levels()));
        buf.putInt(codec.itemCount()).putInt(codec.levels());
        for (int s : codec.codebookSizes()) buf.putInt(s);
        md.update(buf.array());
        for (int i = 0; i < codec.itemCount(); i++) {
            int[] codes = codec.sidOf(i).codes();
            ByteBuffer b = ByteBuffer.allocate(4 * codes.length);
            for (int c : codes) b.putInt(c);
            md.update(b.array());
        }
        return codec.itemCount() + " items, sha256 " + HexFormat.of().formatHex(md.digest());
    }

    /** Counts and SHA-256 of the training examples (in order) and the validation examples. */
    static String dataFingerprint(List<?> train, List<NextItemExample> validation) {
        MessageDigest t = sha256();
        for (Object e : train) {
            switch (e) {
                case SessionExample s -> {
                    update(t, s.history());
                    update(t, s.items());
                }
                case SequenceExample q -> {
                    t.update(ByteBuffer.allocate(8).putLong(q.userId()).array());
                    update(t, q.items());
                }
                default -> throw new IllegalArgumentException("no fingerprint for training examples of " + e.getClass());
            }
        }
        return dataFingerprint(train.size() + " training examples sha256 " + HexFormat.of().formatHex(t.digest()), validation);
    }

    /** {@code train} (a description of the training data, e.g. a {@link WindowSource#fingerprint}) and the validation examples. */
    static String dataFingerprint(String train, List<NextItemExample> validation) {
        MessageDigest v = sha256();
        for (NextItemExample e : validation) {
            update(v, e.history());
            update(v, new int[]{e.target(), e.position()});
        }
        return train + ", " + validation.size() + " validation examples sha256 " + HexFormat.of().formatHex(v.digest());
    }

    private static void update(MessageDigest md, UserHistory h) {
        md.update(ByteBuffer.allocate(8).putLong(h.userId()).array());
        update(md, h.items());
    }

    private static void update(MessageDigest md, int[] values) {
        ByteBuffer b = ByteBuffer.allocate(4 * (values.length + 1)).putInt(values.length);
        for (int x : values) b.putInt(x);
        md.update(b.array());
    }

    // ---------------------------------------------------------------- helpers

    private static Generator cudaGenerator() {
        return torch.globalContext().defaultGenerator(Torch.device());
    }

    private static byte[] generatorState(Generator g) {
        try (PointerScope scope = new PointerScope()) {
            Tensor state = g.get_state().contiguous();
            byte[] out = new byte[(int) state.numel()];
            ByteBuffer b = state.createBuffer();
            b.get(out);
            return out;
        }
    }

    private static void setGeneratorState(Generator g, byte[] state) {
        try (PointerScope scope = new PointerScope()) {
            g.set_state(Tensor.create(state, false, state.length));
        } catch (RuntimeException e) {
            throw new CheckpointException("cannot restore the torch generator state: " + e.getMessage(), e);
        }
    }

    private static HostTensor bytesAsInts(byte[] bytes) {
        int[] out = new int[bytes.length];
        for (int i = 0; i < out.length; i++) out[i] = bytes[i] & 0xff;
        return HostTensor.ofInts(out, out.length);
    }

    private static byte[] intsAsBytes(HostTensor t) {
        if (t == null) throw new CheckpointException("training state lacks a torch generator state");
        int[] in = t.ints();
        byte[] out = new byte[in.length];
        for (int i = 0; i < out.length; i++) out[i] = (byte) in[i];
        return out;
    }

    private static byte[] serialize(Random r) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static List<Path> files(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String sha256(byte[] data) {
        return HexFormat.of().formatHex(sha256().digest(data));
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest md = sha256();
        try (var in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}

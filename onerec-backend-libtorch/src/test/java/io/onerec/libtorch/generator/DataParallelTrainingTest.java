package io.onerec.libtorch.generator;

import io.onerec.api.generator.GeneratorConfig;
import io.onerec.core.codec.ResidualCodec;
import io.onerec.libtorch.dist.DataParallelGroup;
import io.onerec.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Data-parallel training on c10d/Gloo: two processes on loopback, each with half of every global batch, take the same
 * steps as one process with the whole batch: the same loss at every step (within float summation order) and the same
 * final weights. Each run is a fresh JVM (a child of this test), as in a real job.
 */
class DataParallelTrainingTest {
    static final int STEPS = 6, BATCH = 8;

    @Test
    void twoProcessesOnLoopbackFollowTheSingleProcessLossCurve(@TempDir Path dir) throws Exception {
        Path single = dir.resolve("single.txt");
        Process one = start("1", "0", "file:" + dir.resolve("store-1"), single);
        finish(one, "single process");
        Path store = dir.resolve("store-2");
        Path r0 = dir.resolve("rank0.txt"), r1 = dir.resolve("rank1.txt");
        Process p0 = start("2", "0", "file:" + store, r0), p1 = start("2", "1", "file:" + store, r1);
        finish(p0, "rank 0");
        finish(p1, "rank 1");
        double[] a = read(single), b = read(r0), c = read(r1);
        org.slf4j.LoggerFactory.getLogger(DataParallelTrainingTest.class).info("one process {}, two processes {}",
                Arrays.toString(a), Arrays.toString(b));
        assertEquals(STEPS + 1, a.length, "losses and a weight checksum");
        for (int i = 0; i < STEPS; i++) {
            assertEquals(a[i], b[i], 2e-5 * Math.max(1, Math.abs(a[i])), "step " + i + ": " + Arrays.toString(a) + " vs " + Arrays.toString(b));
            assertEquals(b[i], c[i], 0.0, "both ranks report the global loss");
        }
        assertTrue(a[STEPS - 1] < a[0], "training lowers the loss: " + Arrays.toString(a));
        assertEquals(a[STEPS], b[STEPS], 1e-3 * Math.abs(a[STEPS]), "final weights (sum of |w|)");
        assertEquals(b[STEPS], c[STEPS], 0.0, "both ranks hold the same weights");

        // The same over a TCPStore served by rank 0 (the rendezvous across machines).
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Path t0 = dir.resolve("tcp0.txt"), t1 = dir.resolve("tcp1.txt");
        Process q0 = start("2", "0", "tcp:127.0.0.1:" + port, t0), q1 = start("2", "1", "tcp:127.0.0.1:" + port, t1);
        finish(q0, "tcp rank 0");
        finish(q1, "tcp rank 1");
        assertArrayEquals(b, read(t0), 0.0, "the rendezvous does not change the arithmetic");
        assertArrayEquals(b, read(t1), 0.0);
    }

    @Test
    void badRendezvousAndRanksAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> DataParallelGroup.join("file:/tmp/x", 2, 2));
        assertThrows(IllegalArgumentException.class, () -> DataParallelGroup.join("udp:host:1", 0, 1));
        assertThrows(IllegalArgumentException.class, () -> DataParallelGroup.join("tcp:localhost", 0, 1));
    }

    private static Process start(String world, String rank, String rendezvous, Path out) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Donerec.torch.threads=1",
                "-cp", System.getProperty("java.class.path"), DataParallelTrainingTest.class.getName(), world, rank, rendezvous, out.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("OMP_WAIT_POLICY", "PASSIVE");
        return pb.start();
    }

    private static void finish(Process p, String what) throws Exception {
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(what + " did not finish in 180 s");
        }
        assertEquals(0, p.exitValue(), what + " failed:\n" + new String(out, StandardCharsets.UTF_8));
    }

    private static double[] read(Path file) throws IOException {
        return Files.readAllLines(file).stream().mapToDouble(Double::parseDouble).toArray();
    }

    /** A training process: {@code WORLD RANK RENDEZVOUS OUT}; writes each step's loss, then sum |w|. */
    public static void main(String[] args) throws Exception {
        int world = Integer.parseInt(args[0]), rank = Integer.parseInt(args[1]);
        ResidualCodec codec = TestModels.fittedCodec(40, 4, 21);
        GeneratorConfig cfg = TestModels.config(codec, 0, 0, 1).withCausalEncoder(true);
        TorchGeneratorModel model = TorchGeneratorModel.initialize(cfg, 1 + rank); // rank 1 starts elsewhere: the broadcast must fix it
        GeneratorTrainerConfig tc = new GeneratorTrainerConfig(10, BATCH, 3e-3, 0.0, 20, 1.0, 1, 5, 3, 0, 10, 0.0, null, 0.0);
        GeneratorTrainer trainer = new GeneratorTrainer(model, codec, tc, null);
        try (DataParallelGroup group = world > 1 ? DataParallelGroup.join(args[2], rank, world) : null) {
            if (group != null) trainer.withDataParallel(group);
            Random r = new Random(5);
            List<String> lines = new ArrayList<>();
            for (int step = 0; step < STEPS; step++) {
                List<SequenceExample> batch = new ArrayList<>();
                for (int w = 0; w < BATCH; w++) {
                    int[] items = new int[2 + r.nextInt(5)];
                    for (int i = 0; i < items.length; i++) items[i] = r.nextInt(40);
                    batch.add(new SequenceExample(w, items));
                }
                lines.add(Double.toString(trainer.optimizerStep(() -> trainer.sequenceLoss(batch))));
            }
            double sum = 0;
            for (float v : io.onerec.libtorch.Torch.toFloats(torchCat(model))) sum += Math.abs(v);
            lines.add(Double.toString(sum));
            Files.write(Path.of(args[3]), lines);
        }
    }

    private static org.bytedeco.pytorch.Tensor torchCat(TorchGeneratorModel model) {
        org.bytedeco.pytorch.TensorVector v = new org.bytedeco.pytorch.TensorVector();
        for (org.bytedeco.pytorch.Tensor p : model.parameterList()) v.push_back(p.detach().reshape(-1));
        return org.bytedeco.pytorch.global.torch.cat(v);
    }
}

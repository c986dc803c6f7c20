package io.onerec.bench;

import io.onerec.api.ProgressListener;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.libtorch.Torch;
import io.onerec.libtorch.generator.GeneratorTrainer;
import io.onerec.libtorch.generator.GeneratorTrainerConfig;
import io.onerec.libtorch.generator.SequenceExample;
import io.onerec.libtorch.generator.TorchGeneratorModel;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Generator training throughput on LibTorch next to LibTorch's own matmul peak on this machine: optimiser steps of
 * {@link GeneratorTrainer} on causal-encoder sequence windows (the configuration of the Beauty example: item
 * embeddings, BOS reading the latest state, dropout 0.1) over the benchmark codec, with random windows of 2..21
 * items. Prints windows/s, targets/s and GFLOP/s (analytic forward FLOPs x 3 for forward + backward), then a
 * [1024 x 1024] x [1024 x 1024] matmul's GFLOP/s. Arguments: {@code dModel layers batch steps}, e.g.
 * {@code 64 2 64 30} (the example's default) or {@code 128 2 64 30} ({@code --full}). Not a JMH benchmark: three
 * warm-up steps, then rates per second of the wall clock and per second of the main thread's CPU time; with
 * {@code -Donerec.torch.threads=1} all of LibTorch's CPU work runs on that thread, so the CPU-time rates hold on a
 * machine whose cores other processes are using. Run with {@code OMP_WAIT_POLICY=PASSIVE}.
 */
public final class TrainerThroughput {
    private TrainerThroughput() {
    }

    public static void main(String[] args) {
        int d = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int layers = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        int batch = args.length > 2 ? Integer.parseInt(args[2]) : 64;
        int steps = args.length > 3 ? Integer.parseInt(args[3]) : 30;
        SemanticIdCodec codec = BenchModels.codec(1);
        GeneratorConfig gc = new GeneratorConfig(d, 4, 4 * d, layers, layers, 0, 0, 20, codec.codebookSizes(), 0, 1, 1e-6,
                codec.itemCount(), true, true);
        TorchGeneratorModel model = TorchGeneratorModel.initialize(gc, 42);
        GeneratorTrainerConfig tc = GeneratorTrainerConfig.defaults().withBatchSize(batch).withDropout(0.1)
                .withLearningRate(3e-3, 100);
        // -Donerec.torch.precision=bf16: the forward pass's matrix products in bfloat16 (autocast).
        GeneratorTrainer trainer = new GeneratorTrainer(model, codec, tc, ProgressListener.NONE)
                .withPrecision(Torch.Precision.fromSystemProperty());
        Random r = new Random(7);
        List<List<SequenceExample>> batches = new ArrayList<>();
        for (int i = 0; i < steps + 3; i++) {
            List<SequenceExample> b = new ArrayList<>(batch);
            for (int j = 0; j < batch; j++) {
                int[] items = new int[2 + r.nextInt(gc.maxHistory())];
                for (int k = 0; k < items.length; k++) items[k] = r.nextInt(codec.itemCount());
                b.add(new SequenceExample(j, items));
            }
            batches.add(b);
        }
        for (int i = 0; i < 3; i++) trainer.optimizerStep(() -> trainer.sequenceLoss(batches.get(0)));
        long windows = 0, targets = 0;
        double flops = 0;
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        long t0 = System.nanoTime(), c0 = threads.getCurrentThreadCpuTime();
        for (int i = 3; i < steps + 3; i++) {
            List<SequenceExample> b = batches.get(i);
            trainer.optimizerStep(() -> trainer.sequenceLoss(b));
            for (SequenceExample w : b) {
                windows++;
                targets += w.targets();
                flops += 3 * forwardFlops(gc, w.targets());
            }
        }
        double s = (System.nanoTime() - t0) / 1e9, cpu = (threads.getCurrentThreadCpuTime() - c0) / 1e9;
        System.out.printf("train d%d %d+%d layers, batch %d, %s, intra-op threads %d: per wall second %.2f steps, %.0f windows, %.0f targets,"
                        + " %.1f GFLOP; per CPU second of the main thread %.2f steps, %.0f windows, %.0f targets, %.1f GFLOP%n",
                d, layers, layers, batch, Torch.Precision.fromSystemProperty(), org.bytedeco.pytorch.global.torch.get_num_threads(), steps / s, windows / s,
                targets / s, flops / s / 1e9, steps / cpu, windows / cpu, targets / cpu, flops / cpu / 1e9);
        double[] peak = matmulGflops(false), bf16 = matmulGflops(true);
        System.out.printf("libtorch matmul 1024^3: %.1f GFLOP per wall second, %.1f per CPU second of the main thread"
                + " (bf16 operands: %.1f, %.1f)%n", peak[0], peak[1], bf16[0], bf16[1]);
    }

    /**
     * Forward multiply-adds x 2 of one window with {@code targets} targets: encoder over the history, cross-attention
     * keys/values once per window, per target the decoder's P positions and the level heads.
     */
    static double forwardFlops(GeneratorConfig c, int targets) {
        double d = c.dModel(), ff = c.dFf(), s = targets, p = c.codeLevels();
        double enc = c.encoderLayers() * (s * (4 * d * d + 2 * d * ff) + s * s * d);
        double crossKv = c.decoderLayers() * s * 2 * d * d;
        double heads = 0;
        for (int l = 0; l < p; l++) heads += d * c.codebookSize(l);
        double perTarget = c.decoderLayers() * p * (6 * d * d + 2 * d * ff + 2 * p * d + 2 * s * d) + heads;
        return 2 * (enc + crossKv + targets * perTarget);
    }

    /** GFLOP/s of a 1024^3 matmul: per wall second and per CPU second of the calling thread. */
    static double[] matmulGflops(boolean bf16) {
        int n = 1024, reps = 20;
        var threads = java.lang.management.ManagementFactory.getThreadMXBean();
        try (PointerScope scope = new PointerScope()) {
            Tensor a = Torch.randn(n, n), b = Torch.randn(n, n);
            if (bf16) {
                a = a.to(Torch.device(), org.bytedeco.pytorch.global.torch.ScalarType.BFloat16);
                b = b.to(Torch.device(), org.bytedeco.pytorch.global.torch.ScalarType.BFloat16);
            }
            for (int i = 0; i < 3; i++) a.matmul(b);
            long t0 = System.nanoTime(), c0 = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < reps; i++) {
                try (PointerScope inner = new PointerScope()) {
                    a.matmul(b.t());
                }
            }
            double f = 2.0 * n * n * n * reps / 1e9;
            return new double[]{f / ((System.nanoTime() - t0) / 1e9), f / ((threads.getCurrentThreadCpuTime() - c0) / 1e9)};
        }
    }
}

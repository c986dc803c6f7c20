package io.onerec.bench;

import io.onerec.api.RewardScores;
import io.onerec.api.UserHistory;
import io.onerec.api.reward.RewardModelConfig;
import io.onerec.cpu.reward.CpuRewardModel;
import io.onerec.libtorch.reward.TorchRewardModel;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Reward-model scoring throughput: one operation scores {@code sessions} candidate sessions (IPA's N) of
 * {@code length} items for one user with a 20-item history, on the pure-Java scorer and on LibTorch, same weights.
 * Weights are random: the cost does not depend on their values.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class RewardScoringBenchmark {
    @Param({"128"})
    int sessions;
    @Param({"2"})
    int length;
    @Param({"32"})
    int dModel;

    private CpuRewardModel cpu;
    private TorchRewardModel torch;
    private UserHistory user;
    private List<int[]> candidates;

    @Setup(Level.Trial)
    public void setUp() {
        int items = 2000;
        RewardModelConfig cfg = RewardModelConfig.of(items, dModel);
        torch = TorchRewardModel.initialize(cfg, null, 1);
        cpu = new CpuRewardModel(cfg, torch.hostTensors());
        Random r = new Random(2);
        int[] h = new int[20];
        for (int i = 0; i < h.length; i++) h[i] = r.nextInt(items);
        user = new UserHistory(1, h);
        candidates = new ArrayList<>();
        for (int s = 0; s < sessions; s++) {
            int[] c = new int[length];
            for (int j = 0; j < length; j++) c[j] = r.nextInt(items);
            candidates.add(c);
        }
    }

    @Benchmark
    public RewardScores cpuJava() {
        return cpu.score(user, candidates);
    }

    @Benchmark
    public RewardScores libtorch() {
        return torch.score(user, candidates);
    }
}

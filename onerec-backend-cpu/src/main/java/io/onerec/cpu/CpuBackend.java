package io.onerec.cpu;

import io.onerec.api.Generator;
import io.onerec.api.Reasoner;
import io.onerec.api.RewardModel;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.reasoner.LanguageModel;
import io.onerec.api.reasoner.QwenCheckpoint;
import io.onerec.api.reasoner.SidReasoner;
import io.onerec.api.spi.Backend;
import io.onerec.core.codec.ResidualCodec;
import io.onerec.core.vector.KernelProvider;
import io.onerec.cpu.generator.CpuGenerator;
import io.onerec.cpu.reasoner.CpuQwenModel;
import io.onerec.cpu.reward.CpuRewardModel;

import java.nio.file.Path;

/**
 * The pure-Java backend: runs anywhere (Vector API kernels when {@code jdk.incubator.vector} is present, scalar
 * otherwise), so it is always available and has a low priority: native backends win when they load.
 */
public final class CpuBackend implements Backend {

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public SemanticIdCodec loadCodec(Path dir) {
        return ResidualCodec.load(dir);
    }

    @Override
    public Generator loadGenerator(Path dir, SemanticIdCodec codec) {
        return CpuGenerator.load(dir, codec);
    }

    @Override
    public RewardModel loadRewardModel(Path dir) {
        return CpuRewardModel.load(dir);
    }

    @Override
    public Reasoner loadReasoner(Path dir, SemanticIdCodec codec) {
        return SidReasoner.load(dir, codec, CpuQwenModel::load);
    }

    @Override
    public LanguageModel languageModel(QwenCheckpoint checkpoint) {
        return new CpuQwenModel(checkpoint, KernelProvider.get());
    }
}

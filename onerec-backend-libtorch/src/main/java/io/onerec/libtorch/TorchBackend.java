package io.onerec.libtorch;

import io.onerec.api.Generator;
import io.onerec.api.Reasoner;
import io.onerec.api.RewardModel;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.reasoner.SidReasoner;
import io.onerec.api.spi.Backend;
import io.onerec.libtorch.generator.TorchGenerator;
import io.onerec.api.reasoner.TextTokenizer;
import io.onerec.libtorch.reasoner.HfTokenizer;
import io.onerec.libtorch.reasoner.TorchQwenModel;
import io.onerec.libtorch.reward.TorchRewardModel;

import java.nio.file.Path;

/**
 * LibTorch backend: training and inference on CPU or CUDA through bytedeco's JavaCPP presets. Ranked above the pure
 * Java backend; unavailable (with the loader's reason) when the natives for this platform are missing.
 */
public final class TorchBackend implements Backend {

    @Override
    public String name() {
        return "libtorch";
    }

    @Override
    public int priority() {
        return 20;
    }

    @Override
    public boolean isAvailable() {
        return Torch.load() == null;
    }

    @Override
    public String unavailableReason() {
        String err = Torch.load();
        return err == null ? "" : err;
    }

    @Override
    public SemanticIdCodec loadCodec(Path dir) {
        // Codecs are plain Java data; the pure-Java implementation reads them for every backend.
        return io.onerec.core.codec.ResidualCodec.load(dir);
    }

    @Override
    public Generator loadGenerator(Path dir, SemanticIdCodec codec) {
        return TorchGenerator.load(dir, codec);
    }

    @Override
    public RewardModel loadRewardModel(Path dir) {
        return TorchRewardModel.load(dir);
    }

    @Override
    public Reasoner loadReasoner(Path dir, SemanticIdCodec codec) {
        return SidReasoner.load(dir, codec, TorchQwenModel::load, HfTokenizer::load);
    }

    /** Through DJL's binding of the tokenizers library, whose natives ship in its jar (LibTorch itself is not needed). */
    @Override
    public boolean readsHfTokenizers() {
        return true;
    }

    @Override
    public TextTokenizer loadHfTokenizer(Path tokenizerJson) {
        return HfTokenizer.load(tokenizerJson);
    }
}

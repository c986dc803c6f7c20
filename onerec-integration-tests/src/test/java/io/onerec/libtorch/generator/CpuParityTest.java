package io.onerec.libtorch.generator;

import io.onerec.testing.TestModels;
import io.onerec.api.GeneratedSession;
import io.onerec.api.DecodingOptions;
import io.onerec.api.SemanticId;
import io.onerec.api.UserHistory;
import io.onerec.api.checkpoint.Checkpoint;
import io.onerec.api.checkpoint.HostTensor;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.api.generator.GeneratorTokens;
import io.onerec.api.generator.ItemHead;
import io.onerec.api.generator.StepDecoder;
import io.onerec.core.codec.ResidualCodec;
import io.onerec.cpu.generator.CpuGenerator;
import io.onerec.core.vector.KernelProvider;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * One checkpoint, two backends: the pure-Java CPU generator must reproduce the LibTorch generator's restricted
 * log-probabilities (1e-4 relative) step by step, and its beams exactly (items and order).
 */
class CpuParityTest {
    private static final int ITEMS = 60;

    @TempDir
    Path tmp;

    /**
     * A LibTorch-initialised checkpoint with its matrices scaled up: N(0, 0.02) weights give near-uniform log-probs,
     * where beam order would hinge on float noise; scaled weights give clearly separated scores.
     */
    private Path checkpoint(GeneratorConfig config, long seed) {
        Path raw = tmp.resolve("raw-" + seed), dir = tmp.resolve("ckpt-" + seed);
        TorchGeneratorModel.initialize(config, seed).save(raw);
        Checkpoint ck = Checkpoint.read(raw, TorchGeneratorModel.KIND);
        Map<String, HostTensor> scaled = new LinkedHashMap<>();
        ck.tensors().forEach((name, t) -> {
            float[] v = t.floats().clone();
            if (!name.endsWith("norm.weight")) for (int i = 0; i < v.length; i++) v[i] *= 15f;
            scaled.put(name, HostTensor.of(v, t.shape()));
        });
        Checkpoint.write(dir, TorchGeneratorModel.KIND, ck.config(), scaled);
        return dir;
    }

    private void assertParity(GeneratorConfig config, ResidualCodec codec, long seed) {
        Path dir = checkpoint(config, seed);
        List<UserHistory> users = TestModels.users(5, ITEMS, 0, seed + 1);
        try (TorchGenerator torchGen = TorchGenerator.load(dir, codec);
             CpuGenerator cpuGen = CpuGenerator.load(dir, codec, KernelProvider.get(), 2)) {
            assertStepLogProbsAgree(torchGen.model(), cpuGen, codec, users, config);
            List<DecodingOptions> options = new ArrayList<>(List.of(DecodingOptions.beams(10),
                    DecodingOptions.beams(6).withItemsPerSession(config.itemsPerSession()).withExcludeHistory(true),
                    DecodingOptions.beams(8).withAllowedPrefixes(firstPrefixes(codec, 3)),
                    // The sparse head (trie softmax); sessions of several items list the root's children again at
                    // every later item's first level.
                    DecodingOptions.beams(10).withCodeSoftmax(DecodingOptions.CodeSoftmax.TRIE),
                    DecodingOptions.beams(6).withItemsPerSession(config.itemsPerSession()).withExcludeHistory(true)
                            .withCodeSoftmax(DecodingOptions.CodeSoftmax.TRIE)));
            // The generator's own item head fused into the search (needs item-ID embeddings).
            if (config.itemEmbeddings()) options.add(DecodingOptions.beams(10).withExcludeHistory(true).withFusion(ItemHead.fusion(1.0, 0.02)));
            for (DecodingOptions g : options) {
                List<List<GeneratedSession>> a = torchGen.generateBatch(users, g), b = cpuGen.generateBatch(users, g);
                for (int u = 0; u < users.size(); u++) {
                    assertEquals(a.get(u).size(), b.get(u).size(), "beams of user " + u);
                    for (int i = 0; i < a.get(u).size(); i++) {
                        assertArrayEquals(a.get(u).get(i).items(), b.get(u).get(i).items(), g + " user " + u + " beam " + i);
                        double la = a.get(u).get(i).logProb();
                        assertEquals(la, b.get(u).get(i).logProb(), 1e-4 * Math.max(1, Math.abs(la)), "score of beam " + i);
                    }
                }
            }
        }
    }

    private static Set<SemanticId> firstPrefixes(ResidualCodec codec, int n) {
        List<SemanticId> all = new ArrayList<>(codec.validPrefixes(2));
        return Set.copyOf(all.subList(0, Math.min(n, all.size())));
    }

    /** Drives both step decoders with the same random tokens and beam reorderings; compares every output. */
    private static void assertStepLogProbsAgree(TorchGeneratorModel model, CpuGenerator cpu, ResidualCodec codec,
                                                List<UserHistory> users, GeneratorConfig c) {
        GeneratorTokens vocab = new GeneratorTokens(c, codec);
        int beam = 4, slots = users.size() * beam;
        Random r = new Random(7);
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard();
             StepDecoder.Session torchS = new TorchStepDecoder(model, vocab).start(users, beam);
             StepDecoder.Session cpuS = cpu.stepDecoder().start(users, beam)) {
            for (int step = 0; step < c.maxDecoderLen(); step++) {
                int[] tokens = new int[slots], parents = new int[slots];
                for (int s = 0; s < slots; s++) {
                    parents[s] = step == 0 ? s : (s / beam) * beam + r.nextInt(beam);
                    tokens[s] = 1 + r.nextInt(c.vocabSize() - 1);
                }
                int level = step % c.codeLevels();
                if (step == 0 && c.itemEmbeddings()) {
                    float[] ta = torchS.itemLogits(), tb = cpuS.itemLogits();
                    assertEquals((long) users.size() * c.itemVocab(), ta.length);
                    assertEquals(ta.length, tb.length);
                    for (int i = 0; i < ta.length; i++) assertEquals(ta[i], tb[i], 1e-4 * Math.max(1, Math.abs(ta[i])), "item-head logit " + i);
                }
                float[] a = torchS.step(tokens.clone(), parents.clone(), level);
                float[] b = cpuS.step(tokens.clone(), parents.clone(), level);
                assertEquals(a.length, b.length);
                for (int i = 0; i < a.length; i++) {
                    assertEquals(a[i], b[i], 1e-4 * Math.max(1, Math.abs(a[i])), "step " + step + " entry " + i);
                }
            }
        }
    }

    @Test
    void denseDecoderMatchesLibTorch() {
        ResidualCodec codec = TestModels.fittedCodec(ITEMS, 4, 31);
        assertParity(TestModels.config(codec, 0, 0, 2), codec, 32);
    }

    @Test
    void causalEncoderWithItemEmbeddingsMatchesLibTorch() {
        ResidualCodec codec = TestModels.fittedCodec(ITEMS, 4, 35);
        // item_vocab below the catalog: the last items enter by their codes alone, on both backends.
        assertParity(TestModels.config(codec, 0, 8, 1).withItemVocab(ITEMS - 10).withCausalEncoder(true)
                .withBosReadsLastState(true), codec, 36);
    }

    @Test
    void moeDecoderWithUserTokensMatchesLibTorch() {
        ResidualCodec codec = TestModels.fittedCodec(ITEMS, 4, 33);
        assertParity(TestModels.config(codec, 4, 16, 2), codec, 34);
    }
}

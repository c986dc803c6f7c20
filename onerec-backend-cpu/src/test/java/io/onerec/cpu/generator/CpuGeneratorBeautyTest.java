package io.onerec.cpu.generator;

import io.onerec.testing.SharedData;
import io.onerec.testing.TestModels;
import io.onerec.api.GeneratedSession;
import io.onerec.api.DecodingOptions;
import io.onerec.api.SemanticId;
import io.onerec.api.SemanticIdCodec;
import io.onerec.api.UserHistory;
import io.onerec.api.checkpoint.HostTensor;
import io.onerec.tools.data.Datasets;
import io.onerec.tools.data.InteractionSequences;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.api.generator.GeneratorTokens;
import io.onerec.core.vector.KernelProvider;
import io.onerec.api.PriorFusion;
import io.onerec.tools.data.LeaveOneOutSplit;
import io.onerec.tools.data.NextItemExample;
import io.onerec.tools.eval.BatchRecommender;
import io.onerec.tools.eval.EvaluationResult;
import io.onerec.tools.eval.Evaluator;
import io.onerec.tools.eval.TransitionBaseline;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The CPU generator on real Amazon Beauty histories over the full 12,101-item catalog (random weights: this checks
 * decoding at catalog scale, not recommendation quality).
 */
class CpuGeneratorBeautyTest {

    /** SIDs = base-32 digits of the item index: a valid 3 x 32 codec with a realistic, unbalanced trie tail. */
    private static SemanticIdCodec base32Codec(int items) {
        SemanticId[] sids = new SemanticId[items];
        for (int i = 0; i < items; i++) sids[i] = SemanticId.of(i / 1024, (i / 32) % 32, i % 32);
        return new TestModels.TableCodec(sids, new int[]{32, 32, 32});
    }

    @Test
    void decodesBeautyUsersOverTheFullCatalog() {
        InteractionSequences beauty = Datasets.beauty(SharedData.beauty());
        int items = beauty.itemCount();
        SemanticIdCodec codec = base32Codec(items);
        GeneratorConfig c = new GeneratorConfig(32, 4, 64, 2, 2, 0, 0, 20, codec.codebookSizes(), 0, 3, 1e-6);
        Map<String, HostTensor> tensors = TestModels.randomTensors(c, 40);
        List<UserHistory> users = new ArrayList<>();
        for (int u = 0; u < 24; u++) users.add(beauty.history(u * 97));
        DecodingOptions g = new DecodingOptions(16, 3, java.util.Set.of(), true);
        try (CpuGenerator gen = new CpuGenerator(new GeneratorWeights(c, tensors, KernelProvider.get()), codec, 2)) {
            List<List<GeneratedSession>> out = gen.generateBatch(users, g);
            assertEquals(users.size(), out.size());
            ReferenceModel ref = new ReferenceModel(c, tensors);
            GeneratorTokens vocab = new GeneratorTokens(c, codec);
            for (int u = 0; u < users.size(); u++) {
                List<GeneratedSession> sessions = out.get(u);
                assertEquals(16, sessions.size());
                int[] history = users.get(u).items();
                for (GeneratedSession s : sessions) {
                    assertEquals(3, Arrays.stream(s.items()).distinct().count(), "duplicates in " + s);
                    for (int item : s.items()) {
                        assertTrue(item >= 0 && item < items);
                        assertFalse(Arrays.stream(history).anyMatch(h -> h == item), "history item " + item);
                    }
                }
                // The best session's score is its teacher-forced log-probability under the reference model.
                int[] best = sessions.getFirst().items();
                double[][] enc = ref.encode(vocab.encoderTokens(users.get(u)));
                int[] input = vocab.decoderInput(best);
                int[] codes = vocab.sessionCodeTokens(best);
                double expected = 0;
                for (int j = 0; j < best.length; j++) {
                    for (int l = 0; l < 3; l++) {
                        // Code l of item j is predicted from the prefix ending at position j(P+1)+l.
                        expected += ref.logProbs(enc, Arrays.copyOf(input, j * 4 + l + 1), l)[codes[j * 3 + l] - c.codeTokenOffset(l)];
                    }
                }
                assertEquals(expected, sessions.getFirst().logProb(), 1e-3 * Math.max(1, Math.abs(expected)), "user " + u);
            }
        }
    }

    /**
     * Shallow fusion on real data: a generator with random weights knows nothing about Beauty, so fused with the
     * transition table (fitted on the training part only) the beam must be steered to the table's items through the
     * real trie, and reach about the table's own recall on validation users, where the generator alone is near zero.
     */
    @Test
    void transitionTableFusedIntoAnUntrainedGeneratorSteersItsBeamOnBeauty() {
        InteractionSequences beauty = Datasets.beauty(SharedData.beauty());
        LeaveOneOutSplit split = LeaveOneOutSplit.of(beauty, 20);
        int items = beauty.itemCount();
        SemanticIdCodec codec = base32Codec(items);
        GeneratorConfig c = new GeneratorConfig(32, 4, 64, 2, 2, 0, 0, 20, codec.codebookSizes(), 0, 1, 1e-6);
        TransitionBaseline table = TransitionBaseline.fit(split);
        List<NextItemExample> users = Evaluator.sample(split.validation(), 1500, 11);
        Evaluator evaluator = new Evaluator(Evaluator.DEFAULT_KS, 256, null);
        try (CpuGenerator gen = new CpuGenerator(new GeneratorWeights(c, TestModels.randomTensors(c, 41), KernelProvider.get()), codec, 2)) {
            EvaluationResult alone = evaluator.evaluate("alone", users, items, BatchRecommender.of(gen, DecodingOptions.beams(20)));
            EvaluationResult fused = evaluator.evaluate("fused", users, items, BatchRecommender.of(gen,
                    DecodingOptions.beams(20).withFusion(new PriorFusion(table, 8, 0.1))));
            EvaluationResult tableAlone = evaluator.evaluate("table", users, items, table);
            assertTrue(alone.recall(10) < 0.2 * tableAlone.recall(10), "an untrained generator: " + alone + " vs table " + tableAlone);
            assertTrue(fused.recall(10) > 0.8 * tableAlone.recall(10), "fused " + fused + " vs table " + tableAlone);
        }
    }
}

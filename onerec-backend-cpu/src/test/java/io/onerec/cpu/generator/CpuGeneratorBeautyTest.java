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

    @Test
    void decodesBeautyUsersOverTheFullCatalog() {
        InteractionSequences beauty = Datasets.beauty(SharedData.beauty());
        int items = beauty.itemCount();
        // SIDs = base-32 digits of the item index: a valid 3 x 32 codec with a realistic, unbalanced trie tail.
        SemanticId[] sids = new SemanticId[items];
        for (int i = 0; i < items; i++) sids[i] = SemanticId.of(i / 1024, (i / 32) % 32, i % 32);
        int[] codebooks = {32, 32, 32};
        SemanticIdCodec codec = new TestModels.TableCodec(sids, codebooks);
        GeneratorConfig c = new GeneratorConfig(32, 4, 64, 2, 2, 0, 0, 20, codebooks, 0, 3, 1e-6);
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
}

package io.onerec.libtorch.reasoner;

import io.onerec.api.ReasoningOptions;
import io.onerec.testing.SharedData;
import io.onerec.api.ItemEmbeddings;
import io.onerec.api.ReasoningPath;
import io.onerec.api.SemanticId;
import io.onerec.api.UserHistory;
import io.onerec.tools.data.Datasets;
import io.onerec.tools.data.InteractionSequences;
import io.onerec.api.ItemMetadata;
import io.onerec.tools.data.LeaveOneOutSplit;
import io.onerec.tools.data.NextItemExample;
import io.onerec.api.reasoner.QwenConfig;
import io.onerec.api.reasoner.ReasonerTexts;
import io.onerec.api.reasoner.SidReasoner;
import io.onerec.api.reasoner.SidVocabulary;
import io.onerec.api.reasoner.TokenExample;
import io.onerec.api.reasoner.WordTokenizer;
import io.onerec.core.codec.ResidualCodec;
import io.onerec.core.codec.ResidualCodecFitter;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/** The reasoner's texts and stages on real Amazon Beauty titles, attributes and sequences (small slice). */
class ReasonerBeautyTest {

    /** A cheap codec from attribute ids (hashed into 16 dims): fast to fit, and real items share codes by category. */
    private static ResidualCodec attributeCodec(ItemMetadata meta) {
        int dim = 16;
        float[] data = new float[meta.itemCount() * dim];
        for (int i = 0; i < meta.itemCount(); i++) {
            for (int a : meta.attributes(i)) data[i * dim + Math.floorMod(a * 31 + 7, dim)] += 1f;
            data[i * dim + Math.floorMod(meta.title(i).hashCode(), dim)] += 0.1f;
        }
        var cfg = ResidualCodecFitter.Config.of(2, 16, ResidualCodecFitter.Method.KMEANS).withMaxIterations(3).withSeed(1).withThreads(2);
        return new ResidualCodecFitter(cfg).fit(new ItemEmbeddings(meta.itemCount(), dim, data)).codec();
    }

    @Test
    void stagesTrainOnBeautyTextsAndReasonerYieldsValidPrefixes() {
        InteractionSequences seqs = Datasets.beauty(SharedData.beauty());
        ItemMetadata meta = Datasets.beautyMetadata(SharedData.beauty(), seqs);
        ResidualCodec codec = attributeCodec(meta);
        LeaveOneOutSplit split = LeaveOneOutSplit.of(seqs, 20);
        ReasonerTexts texts = new ReasonerTexts(codec, meta, 3, 3);
        List<NextItemExample> train = split.train().subList(0, 160);
        List<UserHistory> users = train.stream().map(NextItemExample::history).toList();
        int[] targets = train.stream().mapToInt(NextItemExample::target).toArray();

        String rationale = texts.rationale(users.get(0), targets[0]);
        assertTrue(rationale.startsWith("user likes attr"), rationale);
        // The rationale's last words come from the target's real title.
        List<String> targetWords = WordTokenizer.split(meta.title(targets[0]));
        String[] r = rationale.split(" ");
        assertTrue(targetWords.contains(r[r.length - 1]) || r[r.length - 1].startsWith("attr"), rationale + " / " + meta.title(targets[0]));

        SidVocabulary vocab = SidVocabulary.extend(WordTokenizer.build(texts.vocabularyTexts(users, targets), 1, 3000), codec.codebookSizes());
        // Real titles contain item-like text; the SID tokens still come out atomic and contiguous.
        int[] ids = vocab.tokenizer().encode(texts.prompt(users.get(0)));
        long sidTokens = java.util.Arrays.stream(ids).filter(id -> vocab.levelOf(id) >= 0).count();
        assertEquals((long) Math.min(3, users.get(0).length()) * codec.levels(), sidTokens);

        TorchQwenModel model = TorchQwenModel.initialize(QwenConfig.tiny(vocab.tokenizer().vocabSize(), 32, 1, 4, 2), 1);
        ReasonerTrainer trainer = new ReasonerTrainer(model, vocab, new ReasonerTrainer.Config(1e-2, 0, 32, 1.0, 1), null);
        List<TokenExample> stage2 = new ArrayList<>();
        for (int i = 0; i < users.size(); i++) stage2.add(texts.reasoningExample(vocab, users.get(i), targets[i]));
        double before = trainer.loss(stage2);
        trainer.fit("reasoner/activation", stage2, 3);
        double after = trainer.loss(stage2);
        assertTrue(after < 0.8 * before, "activation loss on Beauty " + before + " -> " + after);

        SidReasoner reasoner = new SidReasoner(model, vocab, texts, new SidReasoner.Options(1.0, 8));
        Set<SemanticId> valid = codec.validPrefixes(2);
        for (ReasoningPath p : reasoner.reason(split.test().get(0).history(), new ReasoningOptions(2, 3, 2, 1))) {
            assertEquals(3, p.prefixes().size());
            assertTrue(valid.containsAll(p.prefixes()));
        }
    }
}

package io.onerec.libtorch.reasoner;

import io.onerec.api.Reasoner;
import io.onerec.api.ReasoningOptions;
import io.onerec.api.ReasoningPath;
import io.onerec.api.SemanticId;
import io.onerec.api.UserHistory;
import io.onerec.api.checkpoint.Json;
import io.onerec.api.checkpoint.JsonConfig;
import io.onerec.api.reasoner.QwenConfig;
import io.onerec.api.reasoner.SidReasoner;
import io.onerec.api.reasoner.SidVocabulary;
import io.onerec.api.spi.Backends;
import io.onerec.testing.HfCheckpoints;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The real Qwen3 {@code tokenizer.json} (test resource {@code qwen3/tokenizer.json.gz}, see its NOTICE.md): loaded
 * offline, extended with the SID tokens, round-tripping text, and serving a tiny Qwen3-shaped checkpoint in Hugging
 * Face layout (BF16 shards + index) as a reasoner that saves and loads through the backend registry.
 */
class Qwen3TokenizerTest {
    /** Qwen3's vocabulary: 151,643 BPE entries and 26 added tokens. */
    private static final int QWEN3_TOKENS = 151_669;
    /** Qwen3 checkpoints pad their embedding to this many rows. */
    private static final int QWEN3_EMBEDDING_ROWS = 151_936;

    @TempDir
    static Path shared;
    static Path tokenizerJson;
    static HfTokenizer qwen;

    @TempDir
    Path dir;

    @BeforeAll
    static void unpack() throws IOException {
        tokenizerJson = shared.resolve("tokenizer.json");
        try (InputStream in = Qwen3TokenizerTest.class.getResourceAsStream("/qwen3/tokenizer.json.gz")) {
            assertNotNull(in, "test resource qwen3/tokenizer.json.gz is missing");
            try (GZIPInputStream gz = new GZIPInputStream(in)) {
                Files.copy(gz, tokenizerJson);
            }
        }
        qwen = HfTokenizer.load(tokenizerJson);
    }

    @AfterAll
    static void close() {
        if (qwen != null) qwen.close();
    }

    @Test
    void realQwen3TokenizerLoadsAndRoundTripsText() throws IOException {
        assertEquals(QWEN3_TOKENS, qwen.vocabSize());
        @SuppressWarnings("unchecked")
        Map<String, Object> root = (Map<String, Object>) Json.parse(Files.readString(tokenizerJson));
        @SuppressWarnings("unchecked")
        Map<String, Object> vocab = (Map<String, Object>) ((Map<String, Object>) root.get("model")).get("vocab");
        // Byte-level BPE: "Hello" is one entry, " world" is the entry "Ġworld" (Ġ marks the leading space).
        int hello = ((Number) vocab.get("Hello")).intValue(), world = ((Number) vocab.get("\u0120world")).intValue();
        assertArrayEquals(new int[]{hello, world}, qwen.encode("Hello world"));
        for (String text : List.of("Hello world", "  leading spaces, tabs\tand\nnew lines ", "rouge à lèvres, 口红 and émojis 💄",
                "SKU-00912: 3.5 oz (100 ml)")) {
            assertEquals(text, qwen.decode(qwen.encode(text)), "round trip of '" + text + "'");
        }
        assertEquals(151_667, qwen.atomicId("<think>").orElseThrow());
        assertEquals(151_668, qwen.atomicId("</think>").orElseThrow());
        // Chat and document markers are control ids a sampled rationale must never contain; the think markers and
        // ordinary words are not.
        for (String marker : List.of("<|endoftext|>", "<|im_start|>", "<|im_end|>")) {
            assertTrue(qwen.isControl(qwen.atomicId(marker).orElseThrow()), marker + " is a control id");
        }
        assertFalse(qwen.isControl(151_667));
        assertFalse(qwen.isControl(151_668));
        assertFalse(qwen.isControl(hello));
    }

    @Test
    void sidTokensBecomeSingleNewIdsBeyondTheBaseVocabulary() {
        int[] sizes = {256, 256, 16};
        SidVocabulary v = SidVocabulary.extend(qwen, sizes);
        // <think> and </think> are Qwen3's own added tokens and are reused; the item markers and SID tokens are new.
        assertEquals(151_667, v.thinkBegin());
        assertEquals(151_668, v.thinkEnd());
        assertEquals(QWEN3_TOKENS, v.itemBegin());
        assertEquals(QWEN3_TOKENS + 2 + 256 + 256 + 16, v.tokenizer().vocabSize());
        for (int l = 0; l < sizes.length; l++) assertTrue(v.offset(l) >= QWEN3_TOKENS, "level " + l + " offset " + v.offset(l));
        // The base tokenizer alone cuts a SID token into pieces; extended, it is one id.
        assertTrue(qwen.encode("<s_a_12>").length > 1);

        SemanticId sid = SemanticId.of(12, 200, 3);
        String text = "<think>She buys red lipstick, then a matching liner.</think>" + SidVocabulary.text(sid) + " and then";
        int[] ids = v.tokenizer().encode(text);
        int at = -1;
        for (int i = 0; i < ids.length; i++) if (ids[i] == v.itemBegin()) at = i;
        assertTrue(at > 0, "no <|item_begin|> id in " + java.util.Arrays.toString(ids));
        assertArrayEquals(new int[]{v.itemBegin(), v.tokenId(0, 12), v.tokenId(1, 200), v.tokenId(2, 3), v.itemEnd()},
                java.util.Arrays.copyOfRange(ids, at, at + 5));
        assertEquals(v.thinkBegin(), ids[0]);
        long sidIds = java.util.Arrays.stream(ids).filter(id -> v.levelOf(id) >= 0).count();
        assertEquals(3, sidIds, "one id per SID code");
        for (int id : ids) assertTrue(id < QWEN3_TOKENS || v.isItemToken(id), "new id " + id + " that is not an item token");
        assertEquals(text, v.tokenizer().decode(ids));
    }

    @Test
    void tinyQwen3CheckpointInHfLayoutServesAReasonerThatSavesAndLoadsThroughTheRegistry() throws IOException {
        ReasonerFixture f = new ReasonerFixture(8, 3);
        // Qwen3's shape in miniature, with its real vocabulary and padded embedding, stored as Hugging Face does.
        QwenConfig config = HfCheckpoints.qwen3(QWEN3_EMBEDDING_ROWS, 16, 1, 2, 1);
        Path hf = HfCheckpoints.writeSharded(dir.resolve("qwen3-tiny"), config, HfCheckpoints.randomWeights(config, 5), 2);
        Files.copy(tokenizerJson, hf.resolve(SidReasoner.HF_TOKENIZER_FILE));

        ReasonerModels.Initialized init = ReasonerModels.fromHuggingFace(hf, f.codec.codebookSizes(), 9);
        assertEquals(QWEN3_EMBEDDING_ROWS, init.model().vocabSize(), "the SID tokens fit into Qwen3's padding rows");
        assertEquals(QWEN3_TOKENS, init.vocabulary().itemBegin());
        SidReasoner reasoner = new SidReasoner(init.model(), init.vocabulary(), f.texts, new SidReasoner.Options(1.0, 5));
        UserHistory user = f.users.get(2);
        ReasoningOptions options = new ReasoningOptions(2, 2, 2, 17);
        List<ReasoningPath> paths = reasoner.reason(user, options);
        assertEquals(2, paths.size());

        Path saved = dir.resolve("reasoner");
        reasoner.save(saved);
        assertArrayEquals(Files.readAllBytes(tokenizerJson), Files.readAllBytes(saved.resolve(SidReasoner.HF_TOKENIZER_FILE)),
                "the tokenizer is stored next to the weights byte for byte");
        JsonConfig settings = JsonConfig.parse(Files.readString(saved.resolve(SidReasoner.REASONER_FILE), StandardCharsets.UTF_8), "reasoner.json");
        assertEquals(SidReasoner.HF_TOKENIZER_FILE, settings.getString("tokenizer_file"));
        assertEquals(init.vocabulary().tokenizer().vocabSize(), settings.getInt("vocab_size"));
        try (Reasoner back = Backends.get("libtorch").loadReasoner(saved, f.codec)) {
            assertEquals(paths, back.reason(user, options));
        }
    }
}

package io.onerec.api.reasoner;

import io.onerec.api.SemanticId;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class TokenizerTest {
    private static final int[] SIZES = {4, 3, 2};

    private static SidVocabulary vocab() {
        WordTokenizer words = WordTokenizer.build(List.of("red lipstick for lips", "blue nail polish", "red nail"), 1, 100);
        return SidVocabulary.extend(words, SIDS());
    }

    private static int[] SIDS() {
        return SIZES.clone();
    }

    @Test
    void sidTokensAreAtomicEvenWithoutSpaces() {
        SidVocabulary v = vocab();
        ExtendedTokenizer t = v.tokenizer();
        int[] ids = t.encode("red<|item_begin|><s_a_3><s_b_2><s_c_1><|item_end|>nail");
        assertEquals(7, ids.length);
        assertEquals(v.itemBegin(), ids[1]);
        assertEquals(v.tokenId(0, 3), ids[2]);
        assertEquals(v.tokenId(1, 2), ids[3]);
        assertEquals(v.tokenId(2, 1), ids[4]);
        assertEquals(v.itemEnd(), ids[5]);
        // A SID-looking string that is not a token of this codec (code 9 at level a) is not an added token.
        int[] other = t.encode("<s_a_9>");
        for (int id : other) assertEquals(-1, v.levelOf(id));
    }

    @Test
    void sidIdsAreContiguousPerLevelAndAfterTheBaseVocabulary() {
        SidVocabulary v = vocab();
        int base = v.tokenizer().base().vocabSize();
        assertEquals(base + 4 + 4 + 3 + 2, v.tokenizer().vocabSize());
        int expected = v.offset(0);
        assertTrue(expected >= base);
        for (int l = 0; l < SIZES.length; l++) {
            for (int c = 0; c < SIZES[l]; c++) {
                assertEquals(expected++, v.tokenId(l, c));
                assertEquals(l, v.levelOf(v.tokenId(l, c)));
            }
        }
        assertEquals(-1, v.levelOf(0));
        assertThrows(IllegalArgumentException.class, () -> v.tokenId(1, 3));
    }

    @Test
    void roundTrip() {
        SidVocabulary v = vocab();
        String text = "red nail " + SidVocabulary.text(SemanticId.of(1, 0, 1)) + " <think> blue lips </think>";
        int[] ids = v.tokenizer().encode(text);
        assertEquals("red nail <|item_begin|> <s_a_1> <s_b_0> <s_c_1> <|item_end|> <think> blue lips </think>", v.tokenizer().decode(ids));
        assertArrayEquals(ids, v.tokenizer().encode(v.tokenizer().decode(ids)));
        // Unknown words become <unk>, not dropped.
        assertArrayEquals(new int[]{1}, v.tokenizer().encode("zebra"));
        assertThrows(IllegalArgumentException.class, () -> v.tokenizer().decode(new int[]{v.tokenizer().vocabSize()}));
    }

    @Test
    void wordVocabularyKeepsFrequentWordsFirst() {
        WordTokenizer w = WordTokenizer.build(List.of("b a a", "c a b"), 2, 10);
        assertEquals(5, w.vocabSize());   // <pad> <unk> <eos> a b  (c occurs once)
        assertArrayEquals(new int[]{3, 1, 4, 1, 1}, w.encode("A, B. c"));   // punctuation and c are unknown
        assertEquals("a <unk> b", w.decode(new int[]{3, 1, 4}));
    }
}

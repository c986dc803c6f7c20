package io.onerec.core.codec;

import io.onerec.api.SemanticId;
import io.onerec.testing.TestModels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * What a codec fingerprint (the key of Think-Ahead's prefix store) follows: the codebooks, not the catalog. A
 * saved and loaded codec and a catalog update keep it; a refit or any codebook change breaks it.
 */
class CodecFingerprintTest {
    @TempDir
    Path dir;

    @Test
    void residualCodecFingerprintFollowsTheCodebooks() {
        ResidualCodec codec = TestModels.fittedCodec(80, 4, 3);
        String f = codec.fingerprint();
        assertTrue(f.startsWith("residual-codebooks:") && f.length() == "residual-codebooks:".length() + 64, f);
        assertEquals(f, TestModels.fittedCodec(80, 4, 3).fingerprint(), "the same fit gives the same fingerprint");

        codec.save(dir.resolve("codec"));
        assertEquals(f, ResidualCodec.load(dir.resolve("codec")).fingerprint());

        Random r = new Random(5);
        float[] fresh = new float[codec.dim()];
        for (int i = 0; i < fresh.length; i++) fresh[i] = (float) r.nextGaussian();
        ResidualCodec grown = codec.withNewItems(new float[][]{fresh});
        assertEquals(codec.itemCount() + 1, grown.itemCount());
        assertEquals(f, grown.fingerprint(), "a new item keeps the codebooks, so the prefixes keep their meaning");
        assertEquals(f, codec.withRetired(0, 5).fingerprint());

        assertNotEquals(f, TestModels.fittedCodec(80, 4, 4).fingerprint(), "a refit (another seed) is another code space");
        float[][] books = new float[codec.quantizationLevels()][];
        for (int l = 0; l < books.length; l++) books[l] = codec.codebook(l);
        books[1][7] = Math.nextUp(books[1][7]);
        ResidualCodec nudged = new ResidualCodec(codec.dim(), books, codec.codebookSizes(), codec.hasDisambiguation(), codec.method(), codec.sidTable());
        assertNotEquals(f, nudged.fingerprint(), "one codebook value one ulp away must change the fingerprint");
    }

    @Test
    void defaultFingerprintFollowsTheSidTable() {
        int[] sizes = {3, 3};
        SemanticId[] sids = {SemanticId.of(0, 1), SemanticId.of(2, 2), SemanticId.of(1, 0)};
        String f = new TestModels.TableCodec(sids, sizes).fingerprint();
        assertTrue(f.startsWith("sid-table:"), f);
        assertEquals(f, new TestModels.TableCodec(sids.clone(), sizes).fingerprint());
        SemanticId[] moved = sids.clone();
        moved[2] = SemanticId.of(1, 1);
        assertNotEquals(f, new TestModels.TableCodec(moved, sizes).fingerprint());
        assertNotEquals(f, new TestModels.TableCodec(sids, new int[]{3, 4}).fingerprint());
    }
}

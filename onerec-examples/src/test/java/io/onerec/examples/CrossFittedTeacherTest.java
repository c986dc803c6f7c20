package io.onerec.examples;

import io.onerec.libtorch.Torch;
import io.onerec.libtorch.baseline.HeldOutFold;
import io.onerec.libtorch.baseline.SasRecConfig;
import io.onerec.libtorch.baseline.SasRecModel;
import io.onerec.tools.data.UserFolds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code --distill-sasrec} directories: one ensemble, or SASRecs that each held out one fold ({@code --fold k/K}). */
class CrossFittedTeacherTest {
    private static Path saved(Path dir, String name, long seed, HeldOutFold fold) {
        Path d = dir.resolve(name);
        SasRecModel.initialize(new SasRecConfig(30, 8, 1, 1, 16, 6, 0.1), seed).save(d);
        if (fold != null) fold.write(d);
        return d;
    }

    @Test
    void foldsAreOrderedCheckedAndComplete(@TempDir Path dir) {
        assumeTrue(Torch.load() == null, "libtorch natives unavailable: " + Torch.load());
        UserFolds two = new UserFolds(2, BaselinesExample.FOLD_SEED);
        Path f1 = saved(dir, "f1", 1, new HeldOutFold(1, two)), f0 = saved(dir, "f0", 2, new HeldOutFold(0, two));
        Path plain = saved(dir, "plain", 3, null);

        BeautyEndToEnd.SasRecTeacher t = BeautyEndToEnd.loadedTeacher(List.of(f1, f0));
        assertEquals(two, t.folds());
        assertEquals(SasRecModel.load(f0).parameterList().getFirst().sum().item_double(),
                t.models().get(0).parameterList().getFirst().sum().item_double(), 0, "models ordered by the fold they hold out");
        assertNull(BeautyEndToEnd.loadedTeacher(List.of(plain, plain)).folds(), "no fold files: one ensemble");

        String mixed = assertThrows(IllegalArgumentException.class, () -> BeautyEndToEnd.loadedTeacher(List.of(f0, plain))).getMessage();
        assertTrue(mixed.contains("mixes"), mixed);
        String missing = assertThrows(IllegalArgumentException.class, () -> BeautyEndToEnd.loadedTeacher(List.of(f0))).getMessage();
        assertTrue(missing.contains("no SASRec holds out fold 1"), missing);
        String twice = assertThrows(IllegalArgumentException.class, () -> BeautyEndToEnd.loadedTeacher(List.of(f0, f0))).getMessage();
        assertTrue(twice.contains("two SASRecs hold out fold 0"), twice);
        Path other = saved(dir, "other", 4, new HeldOutFold(1, new UserFolds(2, 7)));
        String splits = assertThrows(IllegalArgumentException.class, () -> BeautyEndToEnd.loadedTeacher(List.of(f0, other))).getMessage();
        assertTrue(splits.contains("different fold splits"), splits);
    }

    @Test
    void teacherCheckNeedsATeacher() {
        String e = assertThrows(IllegalArgumentException.class, () -> TeacherCheck.Options.parse(new String[]{"--pairs", "10"})).getMessage();
        assertTrue(e.contains("--distill-sasrec"), e);
        TeacherCheck.Options o = TeacherCheck.Options.parse(new String[]{"--distill-sasrec", "a, b", "--distill-mix", "0.7"});
        assertEquals(List.of(Path.of("a"), Path.of("b")), o.sasrec());
        assertEquals(0.7, o.mix(), 0);
        assertEquals(5000, o.pairs());
    }

    @Test
    void foldFlagReadsKOfK() {
        HeldOutFold f = BaselinesExample.Options.parse(new String[]{"--fold", "1/3"}).fold();
        assertEquals(new HeldOutFold(1, new UserFolds(3, BaselinesExample.FOLD_SEED)), f);
        assertNull(BaselinesExample.Options.parse(new String[0]).fold());
        for (String bad : new String[]{"3/3", "1", "a/2", "0/1"}) {
            assertThrows(IllegalArgumentException.class, () -> BaselinesExample.parseFold(bad), bad);
        }
        assertSame(null, BaselinesExample.Options.parse(new String[]{"--seed", "3"}).fold());
    }
}

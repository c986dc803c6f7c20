package io.onerec.examples;

import io.onerec.api.checkpoint.Checkpoint;
import io.onerec.libtorch.Torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The main example's flags: the presets' defaults, the forms of --distill-sasrec, what is refused, the teacher a resume reloads. */
class BeautyEndToEndOptionsTest {

    private static BeautyEndToEnd.Options parse(String... args) {
        return BeautyEndToEnd.Options.parse(args);
    }

    @Test
    void theQuickRunTrainsASasRecTeacherFirstAndFullKeepsTheTableAlone() {
        BeautyEndToEnd.Options quick = parse();
        assertEquals(BeautyEndToEnd.DEFAULT_DISTILL_SHARE, quick.distill());
        assertEquals("train:" + BeautyEndToEnd.QUICK_SASREC_MINUTES, quick.distillSasRec());
        assertEquals(BeautyEndToEnd.QUICK_GENERATOR_MINUTES, quick.minutes());
        assertEquals(0.5, quick.distillMix());
        assertNull(parse("--full").distillSasRec());
        assertNull(parse("--distill-sasrec", "none").distillSasRec());
        // No teacher without distillation, and data-parallel processes cannot each train their own.
        assertNull(parse("--distill", "0").distillSasRec());
        assertNull(parse("--world-size", "2", "--rendezvous", "file:/tmp/x").distillSasRec());
    }

    @Test
    void sasRecIsTrainedForSomeMinutesOrLoadedFromADirectory() {
        BeautyEndToEnd.Options trained = parse("--distill-sasrec", "train:2.5", "--distill-mix", "0.3");
        assertEquals(2.5, BeautyEndToEnd.Options.sasRecMinutes(trained.distillSasRec()));
        assertEquals(0.3, trained.distillMix());
        BeautyEndToEnd.Options loaded = parse("--distill-sasrec", "runs/base1/sasrec");
        assertTrue(Double.isNaN(BeautyEndToEnd.Options.sasRecMinutes(loaded.distillSasRec())));
    }

    @Test
    void inconsistentTeacherFlagsAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> parse("--distill-sasrec", "train:abc"));
        assertTrue(e.getMessage().contains("train:abc"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> parse("--distill-sasrec", "train:0"));
        assertThrows(IllegalArgumentException.class, () -> parse("--distill", "0", "--distill-sasrec", "dir"));
        assertThrows(IllegalArgumentException.class, () -> parse("--distill-mix", "1.5"));
        assertThrows(IllegalArgumentException.class, () -> parse("--world-size", "2", "--rendezvous", "file:/tmp/x",
                "--distill-sasrec", "train:3"));
    }

    @Test
    void trainingPrecisionIsAFlagWithTheSystemPropertyAsItsDefault() {
        assertEquals(Torch.Precision.BF16, parse("--precision", "bf16").precision());
        assertEquals(Torch.Precision.FP32, parse("--precision", "FP32").precision());
        String before = System.getProperty(Torch.PRECISION_PROPERTY);
        try {
            System.clearProperty(Torch.PRECISION_PROPERTY);
            assertEquals(Torch.Precision.FP32, parse().precision());
            System.setProperty(Torch.PRECISION_PROPERTY, "bf16");
            assertEquals(Torch.Precision.BF16, parse().precision());
            assertEquals(Torch.Precision.FP32, parse("--precision", "fp32").precision());
        } finally {
            if (before == null) System.clearProperty(Torch.PRECISION_PROPERTY);
            else System.setProperty(Torch.PRECISION_PROPERTY, before);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("--precision", "fp16"));
        assertTrue(e.getMessage().contains("--precision") && e.getMessage().contains("fp16"), e.getMessage());
    }

    @Test
    void theModelShapeFlagsSetTheStacksTheExpertsAndTheDropout() {
        assertEquals(0.0, parse().dropout());
        assertEquals(0.05, parse("--full").dropout());
        assertEquals(0.1, parse("--full", "--dropout", "0.1").dropout());
        BeautyEndToEnd.Options plain = parse("--layers", "3");
        assertEquals(3, plain.layers());
        assertEquals(3, plain.encoderLayers());
        assertEquals(0, plain.moeExperts());
        BeautyEndToEnd.Options moe = parse("--layers", "2", "--encoder-layers", "4", "--moe", "8:2");
        assertEquals(2, moe.layers());
        assertEquals(4, moe.encoderLayers());
        assertEquals(8, moe.moeExperts());
        assertEquals(2, moe.moeTopK());
        for (String bad : new String[] {"8", "1:1", "4:5", "4:0"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("--moe", bad));
            assertTrue(e.getMessage().contains("--moe"), e.getMessage());
        }
    }

    @Test
    void aCountOutOfRangeIsRefusedNotReplacedByThePresetsValue() {
        // -1 is the parser's "preset's value"; an explicit -1 must not silently become it.
        String[][] bad = {{"--layers", "-1"}, {"--encoder-layers", "0"}, {"--d-model", "-64"}, {"--d-ff", "0"},
                {"--batch", "0"}, {"--epochs", "-1"}, {"--beam", "0"}, {"--valid-every", "0"}, {"--patience", "0"},
                {"--eval-users", "-1"}, {"--valid-users", "-5"}, {"--minutes", "-1"}, {"--minutes", "0"},
                {"--dropout", "-0.1"}, {"--dropout", "1"}, {"--shuffle-buffer", "0"}, {"--lr", "0"}, {"--distill", "1.5"},
                {"--weight-decay", "-1"}, {"--causal", "yes"}, {"--fusion", "1,x"}, {"--fusion", "-1"}, {"--moe", "a:b"},
                {"--rank", "-1"}, {"--epochs", "three"}, {"--epochs"}};
        for (String[] flag : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse(flag));
            assertTrue(e.getMessage().contains(flag[0]), e.getMessage());
        }
        assertEquals(0, parse("--eval-users", "0").evalUsers());
        assertEquals(1, parse("--layers", "1").encoderLayers());
    }

    @Test
    void theFusionRowsFuseTheTableUnlessToldToFuseTheSasRecTeacher() {
        assertEquals("table", parse().fusionPrior());
        assertEquals("sasrec", parse("--full", "--distill-sasrec", "runs/s256/sasrec", "--fusion-prior", "sasrec").fusionPrior());
        assertEquals("teacher", parse("--fusion-prior", "teacher").fusionPrior(), "the quick run trains a SASRec teacher to fuse");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("--full", "--fusion-prior", "sasrec"));
        assertTrue(e.getMessage().contains("--distill-sasrec"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> parse("--fusion-prior", "bert4rec"));
        assertTrue(e.getMessage().contains("--fusion-prior"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> parse("--distill", "0", "--train-fusion", "1", "--fusion-prior", "sasrec",
                "--distill-sasrec", "dir"));
        assertTrue(e.getMessage().contains("--train-fusion"), e.getMessage());
    }

    @Test
    void theItemHeadIsTrainedWhenAskedAndFusedOnlyIfTrainedOrReused() {
        assertEquals(0, parse().itemHead(), "off unless asked");
        BeautyEndToEnd.Options o = parse("--full", "--item-head", "0.5", "--fusion-prior", "item-head");
        assertEquals(0.5, o.itemHead());
        assertEquals("item-head", o.fusionPrior());
        assertEquals("item-head", parse("--reuse", "--fusion-prior", "item-head").fusionPrior(), "a trained model's head can be fused");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> parse("--fusion-prior", "item-head"));
        assertTrue(e.getMessage().contains("--item-head"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> parse("--item-head", "-1"));
        assertTrue(e.getMessage().contains("--item-head"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> parse("--causal", "false", "--distill", "0", "--item-head", "0.5"));
        assertTrue(e.getMessage().contains("--item-head"), e.getMessage());
    }

    @Test
    void aResumedRunReloadsTheTeacherItsStoppedRunSaved(@TempDir Path out) throws IOException {
        Path dir = out.resolve("sasrec");
        BeautyEndToEnd.Options resumed = parse("--out", out.toString(), "--resume", out.resolve("training-state").toString());
        assertFalse(BeautyEndToEnd.loadsSavedTeacher(resumed, dir), "nothing saved yet: train the teacher");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(Checkpoint.CONFIG_FILE), "{}");
        assertTrue(BeautyEndToEnd.loadsSavedTeacher(resumed, dir));
        assertFalse(BeautyEndToEnd.loadsSavedTeacher(parse("--out", out.toString()), dir), "a fresh run trains its own");
        assertTrue(BeautyEndToEnd.loadsSavedTeacher(parse("--out", out.toString(), "--reuse"), dir));
    }
}

package io.onerec.examples;

import io.onerec.api.TrainingHistory;
import io.onerec.api.TrainingProgress;
import io.onerec.core.codec.ResidualCodec;
import io.onerec.core.codec.ResidualCodecFitter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.*;

class RunReportTest {
    /**
     * 6 items, 2 levels of 4 codes plus a disambiguation position of 2: level 1 uses codes 0, 1, 2 (3, 2, 1 items),
     * level 2 uses codes 0 and 3.
     */
    private static ResidualCodec handMadeCodec() {
        int[] sids = {
                0, 0, 0,
                0, 0, 1,
                0, 3, 0,
                1, 0, 0,
                1, 3, 0,
                2, 0, 0};
        return new ResidualCodec(2, new float[][]{new float[8], new float[8]}, new int[]{4, 4, 2}, true,
                ResidualCodecFitter.Method.BALANCED, sids);
    }

    /** Seven epochs, validated on odd ones, loss falling, NDCG@10 best at epoch 5. */
    private static TrainingHistory history() {
        double[] ndcg = {0.010, 0, 0.020, 0, 0.031, 0, 0.027};
        List<TrainingHistory.Epoch> epochs = new ArrayList<>();
        for (int e = 1; e <= 7; e++) {
            Map<String, Double> v = e % 2 == 1 ? Map.of("recall@10", 2 * ndcg[e - 1], "ndcg@10", ndcg[e - 1]) : Map.of();
            epochs.add(new TrainingHistory.Epoch(e, 170L * e, 170, 6.0 - 0.4 * e, v, Duration.ofSeconds(30L * e)));
        }
        return new TrainingHistory(epochs);
    }

    @Test
    void codeUsageCountsItemsPerCodeAtEveryPosition() {
        List<RunReport.CodeUsage> usage = RunReport.codeUsage(handMadeCodec());
        assertEquals(3, usage.size());
        assertArrayEquals(new int[]{3, 2, 1, 0}, usage.get(0).itemsPerCode());
        assertArrayEquals(new int[]{4, 0, 0, 2}, usage.get(1).itemsPerCode());
        assertArrayEquals(new int[]{5, 1}, usage.get(2).itemsPerCode());
        assertEquals("level 1", usage.get(0).name());
        assertEquals("disambiguation", usage.get(2).name());
        assertEquals(0.75, usage.get(0).fractionUsed(), 0.0);
        assertEquals(0.5, usage.get(1).fractionUsed(), 0.0);
        assertArrayEquals(new double[]{4, 2, 0, 0}, usage.get(1).sortedDescending());
        // Even usage has entropy 1, usage of one code 0.
        assertEquals(1.0, new RunReport.CodeUsage(0, false, new int[]{5, 5, 5, 5}).normalisedEntropy(), 1e-12);
        assertEquals(0.0, new RunReport.CodeUsage(0, false, new int[]{9, 0, 0, 0}).normalisedEntropy(), 1e-12);
    }

    @Test
    void reportLinksEveryChartItWritesAndTheChartsDecode(@TempDir Path dir) throws IOException {
        List<double[]> batches = List.of(new double[]{1, 6.1}, new double[]{85, 5.9}, new double[]{255, 5.2});
        Path report = RunReport.write(dir, "Test run", RunReport.codeUsage(handMadeCodec()), history(), batches,
                List.of("popularity | 0.01"));
        assertEquals(dir.resolve("report.md"), report);
        String md = Files.readString(report);

        List<String> links = new ArrayList<>();
        Matcher m = Pattern.compile("!\\[[^]]*]\\(([^)]+)\\)").matcher(md);
        while (m.find()) links.add(m.group(1));
        assertEquals(List.of("plots/loss.png", "plots/validation.png", "plots/codes-1.png", "plots/codes-2.png", "plots/codes-3.png"), links);
        try (var files = Files.list(dir.resolve("plots"))) {
            assertEquals(links.size(), files.count(), "no PNG that the report does not show");
        }
        for (String link : links) {
            BufferedImage image = ImageIO.read(dir.resolve(link).toFile());
            assertNotNull(image, link + " decodes as an image");
            assertEquals(Charts.WIDTH, image.getWidth(), link);
            assertEquals(Charts.HEIGHT, image.getHeight(), link);
            assertTrue(pixelsOf(image, Charts.color(0).getRGB()) > 50, link + " shows its first series");
        }
        // The validation chart draws its second metric too; the code charts their even-spread line.
        assertTrue(pixelsOf(ImageIO.read(dir.resolve("plots/validation.png").toFile()), Charts.color(1).getRGB()) > 50);
        assertTrue(pixelsOf(ImageIO.read(dir.resolve("plots/codes-1.png").toFile()), Charts.color(1).getRGB()) > 20);
        // The disambiguation chart has no even-spread line: its code 0 is the most used by construction.
        assertEquals(0, pixelsOf(ImageIO.read(dir.resolve("plots/codes-3.png").toFile()), Charts.color(1).getRGB()));

        assertTrue(md.contains("popularity | 0.01"), "the summary lines are in the report");
        assertTrue(md.contains("| level 1 | 4 | 3 | 75.0% | 6 | 3 | 1.5 |"), md);
        assertTrue(md.contains("| disambiguation | 2 | 2 | 100.0% | 6 | 5 | - |"), md);
        // Epoch rows: unvalidated epochs show a dash, validated ones their metrics (ndcg@10 sorts before recall@10).
        assertTrue(md.contains("| 2 | 340 | 5.2000 | - | - | 1m00s |"), md);
        assertTrue(md.contains("| 5 | 850 | 4.0000 | 0.0310 | 0.0620 | 2m30s |"), md);
    }

    @Test
    void aRunWithoutTrainingHasOnlyTheCodecSection(@TempDir Path dir) throws IOException {
        String md = Files.readString(RunReport.write(dir, "Reused", RunReport.codeUsage(handMadeCodec()),
                TrainingHistory.empty(), List.of(), List.of()));
        assertFalse(md.contains("loss.png") || md.contains("Generator training"), md);
        assertTrue(md.contains("plots/codes-1.png"), md);
        assertFalse(Files.exists(dir.resolve("plots/loss.png")));
    }

    @Test
    void axisTicksAreRoundNumbersCoveringTheData() {
        Charts.Axis a = Charts.Axis.of(0.0123, 0.0312, false, false);
        assertTrue(a.min() <= 0.0123 && a.max() >= 0.0312, a.toString());
        assertEquals(0.005, a.step(), 1e-15);
        int ticks = a.ticks().size();
        assertTrue(ticks >= 4 && ticks <= 9, a.ticks().toString());
        assertEquals("0.015", a.label(0.015));
        Charts.Axis epochs = Charts.Axis.of(1, 3, true, false);
        assertEquals(1.0, epochs.step(), 0.0, "integer axes do not tick between epochs");
        assertEquals(1.0, Charts.niceStep(0.9), 0.0);
        assertEquals(2.0, Charts.niceStep(2.4), 0.0);
        assertEquals(50.0, Charts.niceStep(41), 0.0);
    }

    @Test
    void batchLossSamplesAreKeptAtTheirOptimiserStep() {
        List<double[]> samples = new ArrayList<>();
        BeautyEndToEnd.recordBatchLoss(new TrainingProgress("generator/epoch-1", 0, 369, 6.0, Map.of()), samples);
        BeautyEndToEnd.recordBatchLoss(new TrainingProgress("generator/epoch-2", 50, 369, 4.5, Map.of("lr", 1e-3)), samples);
        BeautyEndToEnd.recordBatchLoss(new TrainingProgress("generator/validation", 2, 20, 4.4, Map.of()), samples);
        BeautyEndToEnd.recordBatchLoss(new TrainingProgress("eval/test", 3, 12, Double.NaN, Map.of()), samples);
        assertEquals(2, samples.size(), "only the generator's batch reports");
        assertArrayEquals(new double[]{1, 6.0}, samples.get(0));
        assertArrayEquals(new double[]{369 + 51, 4.5}, samples.get(1));
    }

    private static long pixelsOf(BufferedImage image, int rgb) {
        long n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                if ((image.getRGB(x, y) & 0xffffff) == (rgb & 0xffffff)) n++;
            }
        }
        return n;
    }
}

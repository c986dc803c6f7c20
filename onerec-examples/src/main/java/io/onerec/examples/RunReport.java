package io.onerec.examples;

import io.onerec.api.SemanticIdCodec;
import io.onerec.api.TrainingHistory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The pictures of a run and a Markdown page that shows them: {@code report.md} in the run's directory (next to the
 * {@code codec/} and {@code generator/} checkpoints) and PNGs in its {@code plots/}: training loss and validation
 * metrics per epoch, and per SID position how many items each code holds (sorted), against the even spread.
 */
final class RunReport {
    static final String FILE = "report.md", PLOTS = "plots";

    private RunReport() {
    }

    /**
     * How the items spread over one SID position's codes.
     *
     * @param position       0-based position in the SID
     * @param disambiguation whether the position is the disambiguation code (not a quantization level)
     * @param itemsPerCode   items holding each code, indexed by code
     */
    record CodeUsage(int position, boolean disambiguation, int[] itemsPerCode) {
        /** "level 1", ..., or "disambiguation". */
        String name() {
            return disambiguation ? "disambiguation" : "level " + (position + 1);
        }

        int codebookSize() {
            return itemsPerCode.length;
        }

        int usedCodes() {
            return (int) Arrays.stream(itemsPerCode).filter(c -> c > 0).count();
        }

        double fractionUsed() {
            return (double) usedCodes() / itemsPerCode.length;
        }

        int items() {
            return Arrays.stream(itemsPerCode).sum();
        }

        int maxItems() {
            return Arrays.stream(itemsPerCode).max().orElse(0);
        }

        /** Entropy of the items' codes over log2(K): 1 when every code holds as many items. */
        double normalisedEntropy() {
            int n = items();
            double h = 0;
            for (int c : itemsPerCode) {
                if (c > 0) h -= (double) c / n * Math.log((double) c / n);
            }
            return itemsPerCode.length > 1 ? h / Math.log(itemsPerCode.length) : 1;
        }

        /** Items per code, most-used code first. */
        double[] sortedDescending() {
            int[] sorted = itemsPerCode.clone();
            Arrays.sort(sorted);
            double[] out = new double[sorted.length];
            for (int i = 0; i < sorted.length; i++) out[i] = sorted[sorted.length - 1 - i];
            return out;
        }
    }

    /** Items per code at every SID position of the codec's live (not retired) items. */
    static List<CodeUsage> codeUsage(SemanticIdCodec codec) {
        int[] sizes = codec.codebookSizes();
        int[][] counts = new int[sizes.length][];
        for (int p = 0; p < sizes.length; p++) counts[p] = new int[sizes[p]];
        for (int item = 0; item < codec.itemCount(); item++) {
            if (codec.isRetired(item)) continue;
            int[] codes = codec.sidOf(item).codes();
            for (int p = 0; p < codes.length; p++) counts[p][codes[p]]++;
        }
        List<CodeUsage> out = new ArrayList<>();
        for (int p = 0; p < sizes.length; p++) {
            out.add(new CodeUsage(p, p >= codec.quantizationLevels(), counts[p]));
        }
        return out;
    }

    /**
     * Writes the charts and {@code report.md} into {@code dir}; returns the report's path.
     *
     * @param title     the report's heading
     * @param usage     from {@link #codeUsage}; empty for no codec section
     * @param history   the generator's epochs; empty for no training section (e.g. a run that reused checkpoints)
     * @param batchLoss sampled (step, loss) pairs of single batches, drawn under the epoch means; may be empty
     * @param summary   preformatted lines (e.g. the results table), shown as a code block; may be empty
     */
    static Path write(Path dir, String title, List<CodeUsage> usage, TrainingHistory history, List<double[]> batchLoss,
                      List<String> summary) {
        Path plots = dir.resolve(PLOTS);
        StringBuilder md = new StringBuilder("# ").append(title).append("\n\n");
        if (!summary.isEmpty()) {
            md.append("```\n");
            for (String s : summary) md.append(s).append('\n');
            md.append("```\n\n");
        }
        if (!history.isEmpty()) trainingSection(md, plots, history, batchLoss);
        if (!usage.isEmpty()) codecSection(md, plots, usage);
        Path report = dir.resolve(FILE);
        try {
            Files.createDirectories(dir);
            Files.writeString(report, md);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + report, e);
        }
        return report;
    }

    private static void trainingSection(StringBuilder md, Path plots, TrainingHistory history, List<double[]> batchLoss) {
        List<TrainingHistory.Epoch> epochs = history.epochs();
        md.append("## Generator training\n\n");
        double[] x = new double[epochs.size()], steps = new double[epochs.size()], loss = new double[epochs.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = epochs.get(i).epoch();
            // The mean of an epoch's batches sits in the middle of them.
            steps[i] = epochs.get(i).step() - epochs.get(i).batches() / 2.0;
            loss[i] = epochs.get(i).meanLoss();
        }
        // Over steps rather than epochs: an epoch cut short by the time budget ends where it was cut.
        List<Charts.Series> lossSeries = new ArrayList<>();
        lossSeries.add(new Charts.Series("epoch mean (at mid-epoch)", steps, loss, true));
        if (!batchLoss.isEmpty()) {
            double[] bx = new double[batchLoss.size()], by = new double[batchLoss.size()];
            for (int i = 0; i < bx.length; i++) {
                bx[i] = batchLoss.get(i)[0];
                by[i] = batchLoss.get(i)[1];
            }
            lossSeries.add(new Charts.Series("single batches (sampled)", bx, by, false));
        }
        Charts.lines(plots.resolve("loss.png"), "Generator training loss", "optimiser step", "next-token cross-entropy",
                lossSeries, true, null);
        md.append("![training loss](").append(PLOTS).append("/loss.png)\n\n");

        List<String> metrics = new ArrayList<>(history.metricNames());
        // Recall and NDCG at 10 first: they are what early stopping and the README's tables use.
        metrics.sort((a, b) -> Boolean.compare(!a.endsWith("@10"), !b.endsWith("@10")));
        if (!metrics.isEmpty()) {
            List<Charts.Series> series = new ArrayList<>();
            for (String m : metrics) {
                double[] y = new double[epochs.size()];
                for (int i = 0; i < y.length; i++) y[i] = epochs.get(i).validation().getOrDefault(m, Double.NaN);
                series.add(new Charts.Series(m, x, y, true));
            }
            TrainingHistory.Epoch best = null;
            for (TrainingHistory.Epoch e : epochs) {
                Double v = e.validation().get("ndcg@10");
                if (v != null && (best == null || v > best.validation().get("ndcg@10"))) best = e;
            }
            Charts.lines(plots.resolve("validation.png"), "Validation during training", "epoch", "metric value", series, true,
                    best == null ? null : new Charts.Marker(best.epoch(), "best NDCG@10: epoch " + best.epoch()));
            md.append("![validation metrics](").append(PLOTS).append("/validation.png)\n\n");
        }

        md.append("| epoch | step | mean loss |");
        for (String m : metrics) md.append(' ').append(m).append(" |");
        md.append(" time |\n|---:|---:|---:|");
        md.append("---:|".repeat(metrics.size())).append("---:|\n");
        for (TrainingHistory.Epoch e : epochs) {
            md.append(String.format(Locale.ROOT, "| %d | %,d | %.4f |", e.epoch(), e.step(), e.meanLoss()));
            for (String m : metrics) {
                Double v = e.validation().get(m);
                md.append(v == null ? " - |" : String.format(Locale.ROOT, " %.4f |", v));
            }
            md.append(' ').append(ProgressBar.duration(e.elapsed().toMillis() / 1000.0)).append(" |\n");
        }
        md.append('\n');
    }

    private static void codecSection(StringBuilder md, Path plots, List<CodeUsage> usage) {
        md.append("## Semantic-ID codebook utilisation\n\n");
        md.append("| position | codes | used | fraction used | items | most items on one code | even spread | normalised entropy |\n");
        md.append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (CodeUsage u : usage) {
            // The disambiguation code numbers the items within a collision group: code 0 is the most used by design.
            String even = u.disambiguation() ? "-" : String.format(Locale.ROOT, "%.1f", (double) u.items() / u.codebookSize());
            md.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %.1f%% | %,d | %,d | %s | %.3f |\n", u.name(), u.codebookSize(),
                    u.usedCodes(), 100 * u.fractionUsed(), u.items(), u.maxItems(), even, u.normalisedEntropy()));
        }
        md.append('\n');
        for (CodeUsage u : usage) {
            String file = "codes-" + (u.position() + 1) + ".png";
            double even = (double) u.items() / u.codebookSize();
            // No even-spread line for the disambiguation code: there it would read as a defect.
            Charts.bars(plots.resolve(file), String.format(Locale.ROOT, "SID position %d (%s): %d of %d codes used (%.1f%%)",
                            u.position() + 1, u.name(), u.usedCodes(), u.codebookSize(), 100 * u.fractionUsed()),
                    "codes, most items first", "items on the code", u.sortedDescending(), "items per code",
                    u.disambiguation() ? Double.NaN : even, String.format(Locale.ROOT, "even spread (%.1f)", even));
            md.append("![").append(u.name()).append(" code usage](").append(PLOTS).append('/').append(file).append(")\n\n");
        }
    }
}

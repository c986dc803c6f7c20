package io.onerec.examples;

import io.onerec.api.ItemEmbeddings;
import io.onerec.api.SemanticId;
import io.onerec.core.codec.ResidualCodec;
import io.onerec.core.codec.ResidualCodecFitter;
import io.onerec.tools.embed.ItemEmbeddingBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

/**
 * How much worse items added at run time are coded than items the codec was fitted on (docs/catalog-updates.md):
 * holds out a share of Amazon Beauty's items, fits the codec (BeautyEndToEnd's settings) on the rest, adds the held
 * out items with {@link ResidualCodec#withNewItems}, and compares, for fitted and added items, the relative
 * quantization error, how many got their nearest code tuple, and how the added items spread over the codes; then
 * refits on every item to show what a refit would have given the same items.
 *
 * <p>Usage: {@code CatalogDriftReport [--data DIR] [--holdout 0.05] [--seed 1] [--iterations 10]}.
 */
public final class CatalogDriftReport {
    private static final Logger LOG = LoggerFactory.getLogger(CatalogDriftReport.class);

    private CatalogDriftReport() {
    }

    public static void main(String[] args) {
        Path data = Path.of("../shared/data");
        double holdout = 0.05;
        long seed = 1;
        int iterations = 10;
        FlagReader f = new FlagReader(args);
        while (f.next()) {
            switch (f.flag()) {
                case "--data" -> data = f.path();
                case "--holdout" -> holdout = f.real();
                case "--seed" -> seed = f.longValue();
                case "--iterations" -> iterations = f.count(1);
                default -> throw f.unknown("--data DIR --holdout SHARE --seed S --iterations N");
            }
        }
        if (!(holdout > 0 && holdout < 1)) throw new IllegalArgumentException("--holdout must lie in (0, 1), got " + holdout);
        ItemEmbeddings all = ItemEmbeddingBuilder.beauty(data, ItemEmbeddingBuilder.Config.defaults());
        int n = all.count(), dim = all.dim();
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        Random rnd = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1), t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int held = (int) Math.round(n * holdout), kept = n - held;
        // Fitted items first, added items after: codec item index i is Beauty item perm[i].
        float[] keptData = new float[kept * dim];
        for (int i = 0; i < kept; i++) System.arraycopy(all.row(perm[i]), 0, keptData, i * dim, dim);
        float[][] added = new float[held][];
        for (int i = 0; i < held; i++) added[i] = all.row(perm[kept + i]);
        var cfg = ResidualCodecFitter.Config.of(3, 256, ResidualCodecFitter.Method.BALANCED).withMaxIterations(iterations).withSeed(seed);
        LOG.info("fitting on {} of {} items ({} held out), dim {}", kept, n, held, dim);
        ResidualCodec fitted = new ResidualCodecFitter(cfg).fit(new ItemEmbeddings(kept, dim, keptData)).codec();
        long start = System.nanoTime();
        ResidualCodec grown = fitted.withNewItems(added);
        LOG.info("added {} items in {} ms: {}", held, (System.nanoTime() - start) / 1_000_000, grown);

        float[][] rows = new float[n][];
        for (int i = 0; i < kept; i++) rows[i] = all.row(perm[i]);
        System.arraycopy(added, 0, rows, kept, held);
        Stats fittedStats = stats(grown, rows, 0, kept);
        Stats addedStats = stats(grown, rows, kept, n);

        LOG.info("refitting on all {} items for comparison", n);
        float[] allData = new float[n * dim];
        for (int i = 0; i < n; i++) System.arraycopy(rows[i], 0, allData, i * dim, dim);
        ResidualCodec refit = new ResidualCodecFitter(cfg).fit(new ItemEmbeddings(n, dim, allData)).codec();
        Stats refitAdded = stats(refit, rows, kept, n);
        Stats refitFitted = stats(refit, rows, 0, kept);

        LOG.info("| items | count | rel. quantization error | nearest tuple | distinct level-1/2/3 codes | largest level-1 code share | disambiguation > 0 |");
        LOG.info("|---|---|---|---|---|---|---|");
        LOG.info(fittedStats.row("fitted (codec fit on them)"));
        LOG.info(addedStats.row("added at run time"));
        LOG.info(refitFitted.row("same fitted items after refit on all"));
        LOG.info(refitAdded.row("same added items after refit on all"));
        LOG.info("disambiguation size {}, {} items needed a tuple other than their nearest", Arrays.toString(grown.codebookSizes()),
                addedStats.count - addedStats.nearest);
    }

    /** Coding quality of items [from, to) of the codec. */
    record Stats(int count, double relError, int nearest, int[] distinct, double largestShare, int disambiguated) {
        String row(String name) {
            return String.format("| %s | %d | %.4f | %.1f%% | %d / %d / %d | %.2f%% | %.1f%% |", name, count, relError,
                    100.0 * nearest / count, distinct[0], distinct[1], distinct[2], 100 * largestShare, 100.0 * disambiguated / count);
        }
    }

    static Stats stats(ResidualCodec codec, float[][] rows, int from, int to) {
        int dim = codec.dim(), levels = codec.quantizationLevels();
        float[][] books = new float[levels][];
        for (int l = 0; l < levels; l++) books[l] = codec.codebook(l);
        double err = 0, norm = 0;
        int nearest = 0, disambiguated = 0;
        @SuppressWarnings("unchecked") Set<Integer>[] used = new Set[levels];
        for (int l = 0; l < levels; l++) used[l] = new HashSet<>();
        int[] firstLevel = new int[codec.codebookSizes()[0]];
        for (int i = from; i < to; i++) {
            SemanticId sid = codec.sidOf(i);
            float[] x = rows[i];
            for (int d = 0; d < dim; d++) {
                double rec = 0;
                for (int l = 0; l < levels; l++) rec += books[l][sid.code(l) * dim + d];
                err += (x[d] - rec) * (x[d] - rec);
                norm += x[d] * x[d];
            }
            if (codec.encode(x).equals(sid.prefix(levels))) nearest++;
            for (int l = 0; l < levels; l++) used[l].add(sid.code(l));
            firstLevel[sid.code(0)]++;
            if (codec.hasDisambiguation() && sid.code(levels) > 0) disambiguated++;
        }
        int count = to - from;
        int largest = Arrays.stream(firstLevel).max().orElse(0);
        return new Stats(count, err / norm, nearest, new int[]{used[0].size(), used[1].size(), used[2].size()},
                (double) largest / count, disambiguated);
    }
}

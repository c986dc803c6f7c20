package io.onerec.tools.embed;

import io.onerec.api.ItemEmbeddings;
import io.onerec.tools.data.Datasets;
import io.onerec.tools.data.InteractionSequences;
import io.onerec.api.ItemMetadata;
import io.onerec.tools.data.LeaveOneOutSplit;
import it.unimi.dsi.fastutil.ints.Int2FloatOpenHashMap;
import it.unimi.dsi.fastutil.objects.Object2IntOpenHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Locale;

/**
 * Item embeddings for semantic-ID codecs when no pretrained text encoder is at hand (the OneRec papers embed item
 * text with a large multimodal model; this library has no such model offline). Two halves, each L2-normalised,
 * concatenated with equal weight and L2-normalised again:
 * <ol>
 *   <li><b>Content</b>: latent semantic analysis. TF-IDF over title words plus one pseudo-word per attribute id
 *       (Amazon category/brand ids, MovieLens genres), sublinear term frequency, rows L2-normalised, reduced by a
 *       randomized truncated SVD to {@code contentDim} (item vectors {@code U S}). Titles and attributes are what
 *       a text encoder would see; LSA captures the same co-occurrence of words, without world knowledge.</li>
 *   <li><b>Collaborative</b>: items that users interact with near each other. Co-occurrence counts within a window of
 *       the <em>training part</em> of every sequence only ({@link LeaveOneOutSplit#trainSequence}: no validation or
 *       test target leaks into the codec), weighted 1/distance, turned into a positive PMI matrix (no shift) with
 *       context-distribution smoothing 0.75 (Levy, Goldberg and Dagan 2015), factorised by randomized truncated SVD
 *       to {@code collaborativeDim} (item vectors {@code U sqrt(S)}, the symmetric split that works best for PPMI).
 *       Items without training co-occurrences get a zero collaborative half and are placed by content alone.</li>
 * </ol>
 * Why both: semantic IDs should group items that are alike in content (so that cold items get sensible codes) and
 * in use (so that the generator's next-code predictions are easy), which is the motivation of OneRec's
 * collaborative-aware item representation. Deterministic for a given seed.
 */
public final class ItemEmbeddingBuilder {
    private static final Logger LOG = LoggerFactory.getLogger(ItemEmbeddingBuilder.class);

    /**
     * @param contentDim       dimensions of the content half
     * @param collaborativeDim dimensions of the collaborative half
     * @param window           co-occurrence window (items at distance 1..window in a sequence)
     * @param seed             seed of the randomized SVDs
     */
    public record Config(int contentDim, int collaborativeDim, int window, long seed) {
        public Config {
            if (contentDim < 1 || collaborativeDim < 1 || window < 1) {
                throw new IllegalArgumentException("dimensions and window must be >= 1: " + contentDim + ", " + collaborativeDim + ", " + window);
            }
        }

        /** 64 + 64 dimensions, window 3. */
        public static Config defaults() {
            return new Config(64, 64, 3, 7L);
        }

        public int dim() {
            return contentDim + collaborativeDim;
        }
    }

    private final Config config;

    public ItemEmbeddingBuilder(Config config) {
        this.config = config;
    }

    /** Amazon Beauty from a data directory laid out as described in {@link Datasets}. */
    public static ItemEmbeddings beauty(Path dataDir, Config config) {
        InteractionSequences seqs = Datasets.beauty(dataDir);
        ItemMetadata meta = Datasets.beautyMetadata(dataDir, seqs);
        LeaveOneOutSplit split = LeaveOneOutSplit.of(seqs);
        int[][] train = new int[seqs.userCount()][];
        for (int u = 0; u < train.length; u++) train[u] = split.trainSequence(u);
        return new ItemEmbeddingBuilder(config).build(meta, train);
    }

    /**
     * @param metadata       titles and attributes per item (defines the item count)
     * @param trainSequences interaction sequences that may be learnt from (the training part only)
     */
    public ItemEmbeddings build(ItemMetadata metadata, int[][] trainSequences) {
        int n = metadata.itemCount();
        long t0 = System.nanoTime();
        if (!hasContent(metadata)) {
            // A data set without titles or attributes: the collaborative half is all there is.
            LOG.info("item embeddings: no titles or attributes, collaborative part only ({} dims)", config.collaborativeDim());
            return new ItemEmbeddings(n, config.collaborativeDim(), collaborative(n, trainSequences));
        }
        float[] content = content(metadata);
        float[] collab = collaborative(n, trainSequences);
        ItemEmbeddings out = joinHalves(n, content, config.contentDim(), collab, config.collaborativeDim());
        LOG.info("item embeddings: {} items x {} dims (content {}, collaborative {}) in {} ms", n, out.dim(), config.contentDim(),
                config.collaborativeDim(), (System.nanoTime() - t0) / 1_000_000);
        return out;
    }

    /**
     * The content half from a sentence encoder over the item titles (e.g. {@code OnnxSentenceEncoder.allMiniLmL6v2},
     * what TIGER does with Sentence-T5) instead of LSA; attributes are not used, items without a title are placed by
     * the collaborative half alone. The collaborative half is built as in {@link #build(ItemMetadata, int[][])}.
     */
    public ItemEmbeddings build(ItemMetadata metadata, int[][] trainSequences, io.onerec.tools.text.TextEncoder text) {
        int n = metadata.itemCount();
        long t0 = System.nanoTime();
        java.util.List<String> titles = new java.util.ArrayList<>(n);
        int missing = 0;
        for (int i = 0; i < n; i++) {
            String t = metadata.title(i);
            titles.add(t == null ? "" : t);
            if (t == null || t.isBlank()) missing++;
        }
        float[] content = text.encode(titles);
        float[] collab = collaborative(n, trainSequences);
        ItemEmbeddings out = joinHalves(n, content, text.dim(), collab, config.collaborativeDim());
        LOG.info("item embeddings: {} items x {} dims (text encoder {}, {} items without a title; collaborative {}) in {} ms", n,
                out.dim(), text.dim(), missing, config.collaborativeDim(), (System.nanoTime() - t0) / 1_000_000);
        return out;
    }

    /** Content and collaborative halves side by side, each weighted sqrt(1/2), each row L2-normalised. */
    private static ItemEmbeddings joinHalves(int n, float[] content, int dc, float[] collab, int df) {
        int dim = dc + df;
        float[] out = new float[n * dim];
        float half = (float) Math.sqrt(0.5);
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int d = 0; d < dc; d++) {
                float v = half * content[i * dc + d];
                out[i * dim + d] = v;
                norm += v * v;
            }
            for (int d = 0; d < df; d++) {
                float v = half * collab[i * df + d];
                out[i * dim + dc + d] = v;
                norm += v * v;
            }
            scale(out, i * dim, dim, norm);
        }
        return new ItemEmbeddings(n, dim, out);
    }

    /**
     * Two embeddings of the same items side by side, each row L2-normalised per half and weighted equally, e.g. the
     * built content + PPMI embedding next to a sequence model's item table ({@code ItemEmbeddingsFile}). Rows that are
     * zero in one half are placed by the other half alone.
     */
    public static ItemEmbeddings concatenate(ItemEmbeddings a, ItemEmbeddings b) {
        if (a.count() != b.count()) {
            throw new IllegalArgumentException("cannot concatenate embeddings of " + a.count() + " and " + b.count() + " items");
        }
        int n = a.count(), da = a.dim(), db = b.dim(), dim = da + db;
        float[] out = new float[n * dim];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a.data(), i * da, out, i * dim, da);
            System.arraycopy(b.data(), i * db, out, i * dim + da, db);
            halfNormalise(out, i * dim, da);
            halfNormalise(out, i * dim + da, db);
        }
        return new ItemEmbeddings(n, dim, out);
    }

    private static void halfNormalise(float[] v, int from, int len) {
        double norm = 0;
        for (int d = 0; d < len; d++) norm += (double) v[from + d] * v[from + d];
        if (norm == 0) return;
        float s = (float) (Math.sqrt(0.5) / Math.sqrt(norm));
        for (int d = 0; d < len; d++) v[from + d] *= s;
    }

    private static boolean hasContent(ItemMetadata meta) {
        for (int i = 0; i < meta.itemCount(); i++) {
            if (!meta.title(i).isBlank() || meta.attributes(i).length > 0) return true;
        }
        return false;
    }

    /** LSA of title words and attribute ids; rows L2-normalised ({@code [n, contentDim]}). */
    float[] content(ItemMetadata meta) {
        int n = meta.itemCount();
        Object2IntOpenHashMap<String> vocab = new Object2IntOpenHashMap<>();
        vocab.defaultReturnValue(-1);
        Int2FloatOpenHashMap[] tf = new Int2FloatOpenHashMap[n];
        for (int i = 0; i < n; i++) {
            tf[i] = new Int2FloatOpenHashMap();
            for (String w : meta.title(i).toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
                if (w.isEmpty()) continue;
                tf[i].addTo(term(vocab, w), 1f);
            }
            for (int a : meta.attributes(i)) tf[i].addTo(term(vocab, "\u0000attr:" + a), 1f);
        }
        int terms = vocab.size();
        int[] docFreq = new int[terms];
        for (Int2FloatOpenHashMap row : tf) for (int t : row.keySet()) docFreq[t]++;
        int empty = 0;
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (var e : tf[i].int2FloatEntrySet()) {
                // sublinear tf times smoothed idf, as in scikit-learn's TfidfVectorizer(sublinear_tf=True)
                double idf = Math.log((1.0 + n) / (1.0 + docFreq[e.getIntKey()])) + 1;
                float w = (float) ((1 + Math.log(e.getFloatValue())) * idf);
                e.setValue(w);
                norm += w * w;
            }
            if (norm == 0) empty++;
            float inv = norm > 0 ? (float) (1 / Math.sqrt(norm)) : 0f;
            for (var e : tf[i].int2FloatEntrySet()) e.setValue(e.getFloatValue() * inv);
        }
        SparseMatrix a = SparseMatrix.ofRows(tf, Math.max(1, terms));
        LOG.info("content: {} terms, {} non-zeros, {} items without title or attributes", terms, a.nonZeros(), empty);
        int rank = Math.min(config.contentDim(), Math.min(n, terms));
        RandomizedSvd.Result svd = RandomizedSvd.compute(a, rank, 16, 3, config.seed());
        return rows(svd, n, config.contentDim(), 1.0);
    }

    private static int term(Object2IntOpenHashMap<String> vocab, String w) {
        int id = vocab.getInt(w);
        if (id < 0) {
            id = vocab.size();
            vocab.put(w, id);
        }
        return id;
    }

    /** PPMI of windowed co-occurrence in the training sequences, factorised; rows L2-normalised. */
    float[] collaborative(int n, int[][] sequences) {
        Int2FloatOpenHashMap[] co = new Int2FloatOpenHashMap[n];
        for (int i = 0; i < n; i++) co[i] = new Int2FloatOpenHashMap();
        for (int[] s : sequences) {
            for (int p = 0; p < s.length; p++) {
                if (s[p] < 0 || s[p] >= n) throw new IllegalArgumentException("sequence item " + s[p] + " outside [0, " + n + ")");
                for (int d = 1; d <= config.window() && p + d < s.length; d++) {
                    int a = s[p], b = s[p + d];
                    if (a == b) continue;
                    float w = 1f / d;
                    co[a].addTo(b, w);
                    co[b].addTo(a, w);
                }
            }
        }
        double[] rowSum = new double[n], ctx = new double[n];
        double total = 0, ctxTotal = 0;
        for (int i = 0; i < n; i++) {
            for (var e : co[i].int2FloatEntrySet()) rowSum[i] += e.getFloatValue();
            total += rowSum[i];
        }
        for (int i = 0; i < n; i++) {
            ctx[i] = Math.pow(rowSum[i], 0.75);
            ctxTotal += ctx[i];
        }
        int isolated = 0;
        for (int i = 0; i < n; i++) {
            if (co[i].isEmpty()) isolated++;
            var it = co[i].int2FloatEntrySet().iterator();
            while (it.hasNext()) {
                var e = it.next();
                double pmi = Math.log(e.getFloatValue() * ctxTotal / (rowSum[i] * ctx[e.getIntKey()]));
                if (pmi > 0) e.setValue((float) pmi);
                else it.remove();
            }
        }
        SparseMatrix m = SparseMatrix.ofRows(co, n);
        LOG.info("collaborative: {} co-occurrence weight, {} positive PMI entries, {} items without training co-occurrence",
                String.format("%.0f", total), m.nonZeros(), isolated);
        int rank = Math.min(config.collaborativeDim(), n);
        RandomizedSvd.Result svd = RandomizedSvd.compute(m, rank, 16, 3, config.seed() + 1);
        return rows(svd, n, config.collaborativeDim(), 0.5);
    }

    /** Item rows {@code U S^power}, padded to {@code dim} columns, L2-normalised (zero rows stay zero). */
    private static float[] rows(RandomizedSvd.Result svd, int n, int dim, double power) {
        float[] out = new float[n * dim];
        int rank = svd.rank();
        for (int i = 0; i < n; i++) {
            double norm = 0;
            for (int t = 0; t < rank; t++) {
                double v = svd.u()[i * rank + t] * Math.pow(svd.singularValues()[t], power);
                out[i * dim + t] = (float) v;
                norm += v * v;
            }
            scale(out, i * dim, dim, norm);
        }
        return out;
    }

    private static void scale(float[] v, int off, int len, double squaredNorm) {
        if (squaredNorm <= 0) return;
        float inv = (float) (1 / Math.sqrt(squaredNorm));
        for (int d = 0; d < len; d++) v[off + d] *= inv;
    }
}

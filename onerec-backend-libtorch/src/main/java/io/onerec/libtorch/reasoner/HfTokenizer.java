package io.onerec.libtorch.reasoner;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.api.checkpoint.Json;
import io.onerec.api.reasoner.FileTokenizer;
import io.onerec.api.reasoner.SidReasoner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * A Hugging Face {@code tokenizer.json} (e.g. the one shipped with a Qwen checkpoint) through DJL's binding of the
 * Rust tokenizers library. Works offline: the DJL jar bundles the native library. No special tokens are added
 * on encode (the reasoner writes its own markers). The vocabulary size and the added (atomic) tokens are read
 * from the JSON itself, since DJL does not expose them.
 */
public final class HfTokenizer implements FileTokenizer, AutoCloseable {
    private final HuggingFaceTokenizer tokenizer;
    private final Map<String, Integer> addedTokens;
    private final int vocabSize;
    /** The file as read, so {@link #save} writes back exactly what was loaded. */
    private final byte[] json;

    /** Special added tokens other than the reasoner's own markers (Qwen's {@code <|im_end|>}, {@code <|endoftext|>}, ...). */
    private final java.util.Set<Integer> controlIds;

    private HfTokenizer(HuggingFaceTokenizer tokenizer, Map<String, Integer> addedTokens, int vocabSize, byte[] json,
                        java.util.Set<Integer> controlIds) {
        this.controlIds = controlIds;
        this.tokenizer = tokenizer;
        this.addedTokens = addedTokens;
        this.vocabSize = vocabSize;
        this.json = json;
    }

    /**
     * Reads a {@code tokenizer.json}; a file that is not one (unreadable, not JSON, no {@code model.vocab}, ids that
     * are not numbers) is a {@link CheckpointException} naming it.
     */
    public static HfTokenizer load(Path tokenizerJson) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(tokenizerJson);
        } catch (IOException e) {
            throw new CheckpointException("cannot read " + tokenizerJson + ": " + e.getMessage(), e);
        }
        try {
            return load(tokenizerJson, bytes);
        } catch (CheckpointException e) {
            throw e.getMessage().contains(tokenizerJson.toString()) ? e
                    : new CheckpointException(tokenizerJson + " is not a Hugging Face tokenizer.json: " + e.getMessage(), e);
        } catch (ClassCastException | NullPointerException | IllegalArgumentException e) {
            // Json.parse reports malformed JSON as IllegalArgumentException; a wrong structure surfaces as a cast.
            throw new CheckpointException(tokenizerJson + " is not a Hugging Face tokenizer.json: " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    private static HfTokenizer load(Path tokenizerJson, byte[] bytes) {
        Object parsed = Json.parse(new String(bytes, StandardCharsets.UTF_8));
        if (!(parsed instanceof Map<?, ?>)) throw new CheckpointException(tokenizerJson + ": expected a JSON object");
        Map<String, Object> root = (Map<String, Object>) parsed;
        int max = -1;
        Object model = root.get("model");
        if (model instanceof Map<?, ?> m && m.get("vocab") instanceof Map<?, ?> vocab) {
            for (Object id : vocab.values()) max = Math.max(max, ((Number) id).intValue());
        } else if (model instanceof Map<?, ?> m && m.get("vocab") instanceof List<?> unigram) {
            max = unigram.size() - 1;
        } else {
            throw new CheckpointException(tokenizerJson + ": no model.vocab");
        }
        Map<String, Integer> added = new HashMap<>();
        java.util.Set<Integer> control = new java.util.HashSet<>();
        if (root.get("added_tokens") instanceof List<?> list) {
            for (Object o : list) {
                Map<String, Object> t = (Map<String, Object>) o;
                int id = ((Number) t.get("id")).intValue();
                String content = (String) t.get("content");
                added.put(content, id);
                max = Math.max(max, id);
                // Chat and document markers are never part of a rationale; the think markers are the reasoner's own.
                if (Boolean.TRUE.equals(t.get("special")) && !content.equals(io.onerec.api.reasoner.SidVocabulary.THINK_BEGIN)
                        && !content.equals(io.onerec.api.reasoner.SidVocabulary.THINK_END)) {
                    control.add(id);
                }
            }
        }
        try {
            HuggingFaceTokenizer tok = HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of("addSpecialTokens", "false"));
            return new HfTokenizer(tok, Map.copyOf(added), max + 1, bytes, java.util.Set.copyOf(control));
        } catch (IOException | RuntimeException e) {
            // The Rust library rejects what it cannot build (unknown model type, bad merges) with a RuntimeException.
            throw new CheckpointException("cannot load " + tokenizerJson + ": " + e.getMessage(), e);
        }
    }

    /** Special added tokens (end of text, chat turns, vision and tool markers), except {@code <think>} and {@code </think>}. */
    @Override
    public boolean isControl(int id) {
        return controlIds.contains(id);
    }

    /** {@value SidReasoner#HF_TOKENIZER_FILE}. */
    @Override
    public String fileName() {
        return SidReasoner.HF_TOKENIZER_FILE;
    }

    @Override
    public void save(Path file) {
        try {
            Files.write(file, json);
        } catch (IOException e) {
            throw new CheckpointException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public int[] encode(String text) {
        long[] ids = tokenizer.encode(text, false, false).getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) out[i] = Math.toIntExact(ids[i]);
        return out;
    }

    @Override
    public String decode(int[] ids) {
        long[] l = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabSize) throw new IllegalArgumentException("token id " + ids[i] + " outside [0, " + vocabSize + ")");
            l[i] = ids[i];
        }
        return tokenizer.decode(l, false);
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public OptionalInt atomicId(String token) {
        Integer id = addedTokens.get(token);
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    @Override
    public void close() {
        tokenizer.close();
    }
}

package io.onerec.core.codec;

import io.onerec.api.checkpoint.Checkpoint;
import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.api.checkpoint.HostTensor;
import io.onerec.api.checkpoint.JsonConfig;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Codec checkpoint (kind {@value #KIND}): tensors {@code codebook.<l>} F32 {@code [K_l, dim]} per quantization level
 * and {@code item_sids} I32 {@code [items, positions]}; config keys {@code quantization_levels},
 * {@code codebook_sizes} (per SID position), {@code method}, {@code dim}, {@code items}, {@code disambiguation}.
 * A catalog with retired items also has {@code retired_items} (their count) and the tensor {@code retired_items}
 * I32 {@code [count]}; checkpoints without them have none.
 */
public final class CodecCheckpoint {
    public static final String KIND = "onerec-codec";
    public static final String SIDS = "item_sids";
    public static final String RETIRED = "retired_items";

    private CodecCheckpoint() {
    }

    public static String codebookName(int level) {
        return "codebook." + level;
    }

    static void write(Path dir, ResidualCodec codec) {
        int[] sizes = codec.codebookSizes();
        JsonConfig config = JsonConfig.builder()
                .put("quantization_levels", codec.quantizationLevels())
                .put("codebook_sizes", sizes)
                .put("method", codec.method().name())
                .put("dim", codec.dim())
                .put("items", codec.itemCount())
                .put("disambiguation", codec.hasDisambiguation())
                .put(RETIRED, codec.retiredItems().length)
                .build();
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        for (int l = 0; l < codec.quantizationLevels(); l++) {
            tensors.put(codebookName(l), HostTensor.of(codec.codebook(l), sizes[l], codec.dim()));
        }
        tensors.put(SIDS, HostTensor.ofInts(codec.sidTable(), codec.itemCount(), codec.levels()));
        int[] retired = codec.retiredItems();
        if (retired.length > 0) tensors.put(RETIRED, HostTensor.ofInts(retired, retired.length));
        Checkpoint.write(dir, KIND, config, tensors);
    }

    static ResidualCodec read(Path dir) {
        Checkpoint ckpt = Checkpoint.read(dir, KIND);
        JsonConfig cfg = ckpt.config();
        int levels = cfg.getInt("quantization_levels");
        int[] sizes = cfg.getIntArray("codebook_sizes");
        int dim = cfg.getInt("dim");
        int items = cfg.getInt("items");
        boolean disambiguation = cfg.getBoolean("disambiguation");
        String methodName = cfg.getString("method");
        ResidualCodecFitter.Method method;
        try {
            method = ResidualCodecFitter.Method.valueOf(methodName);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(dir + ": unknown codec method '" + methodName + "'");
        }
        if (levels < 1 || dim < 1 || items < 1) {
            throw new CheckpointException(dir + ": need quantization_levels, dim and items >= 1, got " + levels + ", " + dim + ", " + items);
        }
        if (sizes.length != levels + (disambiguation ? 1 : 0)) {
            throw new CheckpointException(dir + ": codebook_sizes has " + sizes.length + " entries for " + levels
                    + " levels" + (disambiguation ? " plus disambiguation" : ""));
        }
        float[][] codebooks = new float[levels][];
        for (int l = 0; l < levels; l++) {
            HostTensor t = ckpt.tensor(codebookName(l), sizes[l], dim);
            if (t.dtype() != HostTensor.DType.F32) throw new CheckpointException(dir + ": " + codebookName(l) + " is " + t.dtype() + ", expected F32");
            codebooks[l] = t.floats();
        }
        HostTensor sids = ckpt.tensor(SIDS, items, sizes.length);
        if (sids.dtype() != HostTensor.DType.I32) throw new CheckpointException(dir + ": " + SIDS + " is " + sids.dtype() + ", expected I32");
        int retiredCount = cfg.getInt(RETIRED, 0);
        int[] retired = new int[0];
        if (retiredCount > 0) {
            HostTensor r = ckpt.tensor(RETIRED, retiredCount);
            if (r.dtype() != HostTensor.DType.I32) throw new CheckpointException(dir + ": " + RETIRED + " is " + r.dtype() + ", expected I32");
            retired = r.ints();
        }
        try {
            return new ResidualCodec(dim, codebooks, sizes, disambiguation, method, sids.ints(), retired);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException(dir + ": invalid codec: " + e.getMessage(), e);
        }
    }
}

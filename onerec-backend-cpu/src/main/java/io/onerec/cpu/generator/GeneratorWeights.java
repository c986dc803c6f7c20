package io.onerec.cpu.generator;

import io.onerec.api.checkpoint.Checkpoint;
import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.api.checkpoint.HostTensor;
import io.onerec.api.generator.GeneratorConfig;
import io.onerec.core.vector.Kernels;
import io.onerec.core.vector.PackedMatrix;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A generator's weights, validated against its config and packed once for the kernels. Immutable after
 * construction, so one instance serves any number of concurrent decodes.
 */
public final class GeneratorWeights {
    private final GeneratorConfig config;
    private final Map<String, HostTensor> tensors;
    private final Kernels kernels;

    final float[] embedding, encoderPos, decoderPos, encoderFinalNorm, decoderFinalNorm;
    /** encoder.item_embedding, or null when the config has no item embeddings. */
    final float[] itemEmbedding;
    final EncoderLayer[] encoderLayers;
    final DecoderLayer[] decoderLayers;
    /** lm_head rows of each code position, packed separately: inference only needs one position's K logits. */
    final PackedMatrix[] levelHeads;
    /**
     * lm_head.weight unpacked, [vocab_size, d_model] row-major (the checkpoint's array, not a copy): the sparse head
     * reads single rows of it.
     */
    final float[] lmHead;
    /** encoder.item_embedding packed for the item head's one GEMM per request; packed on first use (a copy of the table). */
    private volatile PackedMatrix itemHead;

    record Ffn(PackedMatrix wi, PackedMatrix wo) {
    }

    record EncoderLayer(float[] attnNorm, PackedMatrix qkv, PackedMatrix o, float[] ffnNorm, Ffn ffn) {
    }

    /** {@code ffn} for a dense decoder; {@code router} and {@code experts} for MoE. */
    record DecoderLayer(float[] selfNorm, PackedMatrix selfQkv, PackedMatrix selfO,
                        float[] crossNorm, PackedMatrix crossQ, PackedMatrix crossKv, PackedMatrix crossO,
                        float[] ffnNorm, Ffn ffn, PackedMatrix router, Ffn[] experts) {
    }

    /**
     * Checks every tensor of the doc's layout for presence, dtype and shape (a {@link CheckpointException} naming the
     * first offender), rejects unexpected extra tensors, and packs the matrices for {@code kernels}.
     */
    public GeneratorWeights(GeneratorConfig config, Map<String, HostTensor> tensors, Kernels kernels) {
        this.config = config;
        this.kernels = kernels;
        Map<String, long[]> shapes = config.parameterShapes();
        Map<String, HostTensor> checked = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : shapes.entrySet()) {
            HostTensor t = tensors.get(e.getKey());
            if (t == null) throw new CheckpointException("missing tensor '" + e.getKey() + "'");
            if (t.dtype() != HostTensor.DType.F32) {
                throw new CheckpointException("tensor '" + e.getKey() + "' is " + t.dtype() + ", expected F32");
            }
            checked.put(e.getKey(), t.requireShape(e.getKey(), e.getValue()));
        }
        for (String name : tensors.keySet()) {
            if (!shapes.containsKey(name)) {
                throw new CheckpointException("unexpected tensor '" + name + "' for generator config " + config);
            }
        }
        this.tensors = Collections.unmodifiableMap(checked);

        embedding = f("shared.embedding");
        encoderPos = f("encoder.pos_embedding");
        itemEmbedding = config.itemEmbeddings() ? f("encoder.item_embedding") : null;
        decoderPos = f("decoder.pos_embedding");
        encoderFinalNorm = f("encoder.final_norm.weight");
        decoderFinalNorm = f("decoder.final_norm.weight");
        encoderLayers = new EncoderLayer[config.encoderLayers()];
        for (int i = 0; i < encoderLayers.length; i++) {
            String p = "encoder.layers." + i + ".";
            encoderLayers[i] = new EncoderLayer(f(p + "attn_norm.weight"),
                    stacked(p + "attn.q.weight", p + "attn.k.weight", p + "attn.v.weight"), packed(p + "attn.o.weight"),
                    f(p + "ffn_norm.weight"), ffn(p + "ffn."));
        }
        decoderLayers = new DecoderLayer[config.decoderLayers()];
        for (int i = 0; i < decoderLayers.length; i++) {
            String p = "decoder.layers." + i + ".";
            Ffn dense = null;
            PackedMatrix router = null;
            Ffn[] experts = null;
            if (config.moe()) {
                router = packed(p + "moe.router.weight");
                experts = new Ffn[config.moeExperts()];
                for (int e = 0; e < experts.length; e++) experts[e] = ffn(p + "moe.experts." + e + ".");
            } else {
                dense = ffn(p + "ffn.");
            }
            decoderLayers[i] = new DecoderLayer(f(p + "self_attn_norm.weight"),
                    stacked(p + "self_attn.q.weight", p + "self_attn.k.weight", p + "self_attn.v.weight"),
                    packed(p + "self_attn.o.weight"), f(p + "cross_attn_norm.weight"), packed(p + "cross_attn.q.weight"),
                    stacked(p + "cross_attn.k.weight", p + "cross_attn.v.weight"), packed(p + "cross_attn.o.weight"),
                    f(p + "ffn_norm.weight"), dense, router, experts);
        }
        float[] head = f("lm_head.weight");
        lmHead = head;
        levelHeads = new PackedMatrix[config.codeLevels()];
        for (int l = 0; l < levelHeads.length; l++) {
            levelHeads[l] = PackedMatrix.pack(head, config.codeTokenOffset(l), config.codebookSize(l), config.dModel(), kernels.panelWidth());
        }
    }

    /**
     * Reads and validates a checkpoint directory of kind {@value GeneratorConfig#CHECKPOINT_KIND}: config values in
     * range, exactly the tensors the config names with their shapes (checked from the header before any data is
     * read), finite values only.
     */
    public static GeneratorWeights load(Path dir, Kernels kernels) {
        Checkpoint ckpt = Checkpoint.read(dir, GeneratorConfig.CHECKPOINT_KIND, c -> GeneratorConfig.fromJson(c).parameterShapes());
        GeneratorConfig config = GeneratorConfig.fromJson(ckpt.config());
        try {
            return new GeneratorWeights(config, ckpt.tensors(), kernels);
        } catch (CheckpointException e) {
            throw new CheckpointException(dir + ": " + e.getMessage(), e);
        }
    }

    public void save(Path dir) {
        Checkpoint.write(dir, GeneratorConfig.CHECKPOINT_KIND, config.toJson(), tensors);
    }

    public GeneratorConfig config() {
        return config;
    }

    /**
     * The item head's weights: encoder.item_embedding packed as a [item_vocab, d_model] matrix, built on first use so
     * that models served without the head do not hold a second copy of the item table.
     */
    PackedMatrix itemHead() {
        PackedMatrix m = itemHead;
        if (m == null) {
            if (itemEmbedding == null) throw new IllegalStateException("this generator has no item-ID embeddings (item_vocab = 0), so no item head");
            synchronized (this) {
                m = itemHead;
                if (m == null) itemHead = m = PackedMatrix.pack(itemEmbedding, 0, config.itemVocab(), config.dModel(), kernels.panelWidth());
            }
        }
        return m;
    }

    public Kernels kernels() {
        return kernels;
    }

    /** The checkpoint tensors (unpacked, read-only view). */
    public Map<String, HostTensor> tensors() {
        return tensors;
    }

    private float[] f(String name) {
        return tensors.get(name).floats();
    }

    private PackedMatrix packed(String name) {
        HostTensor t = tensors.get(name);
        return kernels.pack(t.floats(), (int) t.dim(0), (int) t.dim(1));
    }

    private PackedMatrix stacked(String... names) {
        float[][] ws = new float[names.length][];
        for (int i = 0; i < names.length; i++) ws[i] = f(names[i]);
        return PackedMatrix.packStacked(ws, config.dModel(), kernels.panelWidth());
    }

    private Ffn ffn(String prefix) {
        return new Ffn(packed(prefix + "wi.weight"), packed(prefix + "wo.weight"));
    }
}

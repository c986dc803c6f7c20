package io.onerec.api.checkpoint;

import io.onerec.api.ItemEmbeddings;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Item embeddings on disk: a safetensors file with one F32 tensor {@value #TENSOR} of shape [items, dim], row i =
 * dense item i (e.g. SASRec's learned item vectors, for a semantic-ID codec to use as a collaborative signal).
 * Readable from Python with {@code safetensors.numpy.load_file(path)["item_embeddings"]}.
 */
public final class ItemEmbeddingsFile {
    public static final String TENSOR = "item_embeddings";

    private ItemEmbeddingsFile() {
    }

    /** Writes the embeddings (replacing the file); {@code source} is stored as metadata, e.g. "sasrec". */
    public static void write(Path file, ItemEmbeddings embeddings, String source) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
        } catch (java.io.IOException e) {
            throw new CheckpointException("cannot create the directory of " + file + ": " + e.getMessage(), e);
        }
        SafeTensors.write(file, Map.of(TENSOR, HostTensor.of(embeddings.data(), embeddings.count(), embeddings.dim())),
                Map.of("source", source == null ? "" : source));
    }

    /** Reads a file written by {@link #write}; a missing tensor or a shape other than [items, dim] is an error. */
    public static ItemEmbeddings read(Path file) {
        HostTensor t = SafeTensors.read(file).get(TENSOR);
        if (t == null) throw new CheckpointException(file + ": no tensor '" + TENSOR + "'");
        long[] shape = t.shape();
        if (shape.length != 2) {
            throw new CheckpointException(file + ": tensor '" + TENSOR + "' has rank " + shape.length + ", expected [items, dim]");
        }
        return new ItemEmbeddings(Math.toIntExact(shape[0]), Math.toIntExact(shape[1]), t.floats());
    }
}

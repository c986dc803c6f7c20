package io.onerec.api;

/**
 * Dense item embeddings, row-major: item {@code i} occupies {@code data[i*dim .. (i+1)*dim)}.
 * Items are identified by their dense index 0..count-1 everywhere in the library.
 */
public record ItemEmbeddings(int count, int dim, float[] data) {
    public ItemEmbeddings {
        if (count <= 0 || dim <= 0) {
            throw new IllegalArgumentException("need count > 0 and dim > 0, got count=" + count + " dim=" + dim);
        }
        if (data == null || (long) count * dim != data.length) {
            throw new IllegalArgumentException("data length " + (data == null ? "null" : data.length)
                    + " != count*dim = " + ((long) count * dim));
        }
    }

    public float get(int item, int d) {
        return data[item * dim + d];
    }

    /** A copy of one item's vector. */
    public float[] row(int item) {
        if (item < 0 || item >= count) {
            throw new IndexOutOfBoundsException("item " + item + " outside [0, " + count + ")");
        }
        float[] r = new float[dim];
        System.arraycopy(data, item * dim, r, 0, dim);
        return r;
    }
}

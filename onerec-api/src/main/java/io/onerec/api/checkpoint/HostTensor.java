package io.onerec.api.checkpoint;

import java.util.Arrays;

/**
 * A tensor in Java heap memory, as read from or written to a checkpoint. Float tensors are F32 in memory; F16, BF16
 * and F64 on disk are converted on read.
 */
public final class HostTensor {
    public enum DType { F32, I32, I64 }

    private final DType dtype;
    private final long[] shape;
    private final float[] floats;
    private final int[] ints;
    private final long[] longs;

    private HostTensor(DType dtype, long[] shape, float[] floats, int[] ints, long[] longs, long length) {
        long n = numel(shape);
        if (n != length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " elements, data has " + length);
        }
        this.dtype = dtype;
        this.shape = shape.clone();
        this.floats = floats;
        this.ints = ints;
        this.longs = longs;
    }

    public static HostTensor of(float[] data, long... shape) {
        return new HostTensor(DType.F32, shape, data, null, null, data.length);
    }

    public static HostTensor ofInts(int[] data, long... shape) {
        return new HostTensor(DType.I32, shape, null, data, null, data.length);
    }

    public static HostTensor ofLongs(long[] data, long... shape) {
        return new HostTensor(DType.I64, shape, null, null, data, data.length);
    }

    static long numel(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public DType dtype() {
        return dtype;
    }

    public long[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    public long dim(int i) {
        return shape[i];
    }

    public long numel() {
        return numel(shape);
    }

    /** The F32 data (not a copy). */
    public float[] floats() {
        if (dtype != DType.F32) throw new IllegalStateException("tensor is " + dtype + ", not F32");
        return floats;
    }

    /** The I32 data (not a copy). */
    public int[] ints() {
        if (dtype != DType.I32) throw new IllegalStateException("tensor is " + dtype + ", not I32");
        return ints;
    }

    /** The I64 data (not a copy). */
    public long[] longs() {
        if (dtype != DType.I64) throw new IllegalStateException("tensor is " + dtype + ", not I64");
        return longs;
    }

    /** Throws a {@link CheckpointException} naming the tensor when its shape differs. */
    public HostTensor requireShape(String name, long... expected) {
        if (!Arrays.equals(shape, expected)) {
            throw new CheckpointException("tensor '" + name + "' has shape " + Arrays.toString(shape) + ", expected " + Arrays.toString(expected));
        }
        return this;
    }

    @Override
    public String toString() {
        return "HostTensor[" + dtype + " " + Arrays.toString(shape) + "]";
    }
}

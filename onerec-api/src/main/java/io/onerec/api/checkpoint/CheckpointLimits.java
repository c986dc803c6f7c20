package io.onerec.api.checkpoint;

import java.util.Arrays;
import java.util.Map;

/**
 * The bounds every checkpoint loader enforces, and the checks that enforce them, in one place. They are far above
 * any model this library trains or serves, and exist so that a corrupt or hostile {@code config.json} (a 250-byte
 * file saying {@code encoder_layers: 2147483647}) fails at once with a message naming the key, instead of after
 * allocating until the heap is gone.
 */
public final class CheckpointLimits {
    /** Most transformer layers in one stack. */
    public static final int MAX_LAYERS = 1024;
    /** Most experts in one mixture-of-experts layer. */
    public static final int MAX_EXPERTS = 1024;
    /** Largest hidden, feed-forward, head, history or sequence dimension. */
    public static final int MAX_DIMENSION = 1 << 17;
    /** Largest vocabulary, token or item table. */
    public static final int MAX_VOCABULARY = 1 << 26;
    /** Most elements of one tensor: what one Java array can hold. */
    public static final long MAX_TENSOR_ELEMENTS = Integer.MAX_VALUE - 8;
    /** Most tensors one checkpoint may name (layers x experts x weights stay far below). */
    public static final int MAX_TENSORS = 1 << 20;

    private CheckpointLimits() {
    }

    /** {@code value} in {@code [min, max]}, else an {@link IllegalArgumentException} naming {@code key}. */
    public static int requireInRange(String key, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(key + " must be in [" + min + ", " + max + "], got " + value);
        }
        return value;
    }

    /** A finite {@code value > 0} (a config's epsilons, RoPE base), else an exception naming {@code key}. */
    public static double requireFinitePositive(String key, double value) {
        if (!Double.isFinite(value) || value <= 0) {
            throw new IllegalArgumentException(key + " must be a finite number > 0, got " + value);
        }
        return value;
    }

    /**
     * Checks a layout that a config implies before any weights are read: at most {@link #MAX_TENSORS} tensors, each
     * of at most {@link #MAX_TENSOR_ELEMENTS} elements. Throws an {@link IllegalArgumentException} naming the first
     * tensor that does not fit.
     */
    public static void requireLoadable(Map<String, long[]> layout) {
        if (layout.size() > MAX_TENSORS) {
            throw new IllegalArgumentException("the config implies " + layout.size() + " tensors, more than " + MAX_TENSORS);
        }
        for (Map.Entry<String, long[]> e : layout.entrySet()) {
            long n;
            try {
                n = HostTensor.numel(e.getValue());
            } catch (ArithmeticException ex) {
                n = Long.MAX_VALUE;
            }
            if (n > MAX_TENSOR_ELEMENTS) {
                throw new IllegalArgumentException("the config implies tensor '" + e.getKey() + "' of shape "
                        + Arrays.toString(e.getValue()) + ", more elements than a Java array holds (" + MAX_TENSOR_ELEMENTS + ")");
            }
        }
    }

    /** Throws a {@link CheckpointException} naming the tensor and the first non-finite element (NaN or infinity). */
    public static void requireFinite(String tensor, float[] values) {
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            // v - v is 0 for finite v and NaN for NaN or infinity: one subtraction and compare per element.
            if (v - v != 0) {
                throw new CheckpointException("tensor '" + tensor + "' holds a non-finite value " + v + " at element " + i);
            }
        }
    }
}

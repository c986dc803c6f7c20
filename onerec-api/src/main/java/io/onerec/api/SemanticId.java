package io.onerec.api;

import java.util.Arrays;

/**
 * A semantic ID: one code per quantization level (plus, after collision handling, a disambiguation code).
 * A shorter SemanticId is a prefix, e.g. the (c1, c2) prefixes that Think-Ahead restricts decoding to.
 *
 * <p>Value semantics over the code array; the array is copied in and never exposed.
 */
public final class SemanticId implements Comparable<SemanticId> {
    private final int[] codes;

    private SemanticId(int[] codes) {
        this.codes = codes;
    }

    public static SemanticId of(int... codes) {
        if (codes.length == 0) {
            throw new IllegalArgumentException("a semantic ID needs at least one code");
        }
        for (int i = 0; i < codes.length; i++) {
            if (codes[i] < 0) {
                throw new IllegalArgumentException("negative code " + codes[i] + " at level " + i);
            }
        }
        return new SemanticId(codes.clone());
    }

    public int length() {
        return codes.length;
    }

    public int code(int level) {
        return codes[level];
    }

    public int[] codes() {
        return codes.clone();
    }

    /** The first {@code n} codes. */
    public SemanticId prefix(int n) {
        if (n < 1 || n > codes.length) {
            throw new IllegalArgumentException("prefix length " + n + " outside [1, " + codes.length + "]");
        }
        return n == codes.length ? this : new SemanticId(Arrays.copyOf(codes, n));
    }

    public boolean startsWith(SemanticId prefix) {
        if (prefix.codes.length > codes.length) {
            return false;
        }
        return Arrays.equals(codes, 0, prefix.codes.length, prefix.codes, 0, prefix.codes.length);
    }

    @Override
    public int compareTo(SemanticId o) {
        return Arrays.compare(codes, o.codes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SemanticId s && Arrays.equals(codes, s.codes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(codes);
    }

    /** Renders as {@code <12-200-7>}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("<");
        for (int i = 0; i < codes.length; i++) {
            if (i > 0) sb.append('-');
            sb.append(codes[i]);
        }
        return sb.append('>').toString();
    }
}

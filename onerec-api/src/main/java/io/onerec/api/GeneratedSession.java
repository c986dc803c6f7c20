package io.onerec.api;

import java.util.Arrays;

/**
 * One decoded beam: a session of items (length 1 for next-item recommendation) and its total log-probability.
 */
public record GeneratedSession(int[] items, double logProb) {
    public GeneratedSession {
        if (items == null || items.length == 0) {
            throw new IllegalArgumentException("a session holds at least one item");
        }
        items = items.clone();
    }

    @Override
    public int[] items() {
        return items.clone();
    }

    public int firstItem() {
        return items[0];
    }

    public int size() {
        return items.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GeneratedSession s && Arrays.equals(items, s.items) && Double.compare(logProb, s.logProb) == 0;
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(items) + Double.hashCode(logProb);
    }

    @Override
    public String toString() {
        return "GeneratedSession" + Arrays.toString(items) + "@" + logProb;
    }
}

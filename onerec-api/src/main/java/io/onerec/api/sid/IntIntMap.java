package io.onerec.api.sid;

import java.util.Arrays;

/**
 * Open-addressing map from non-negative int keys to int values, for per-request node counts and memos whose size
 * follows the nodes a request touches rather than the catalog. Missing keys read as a caller-given default.
 * Not thread-safe.
 */
final class IntIntMap {
    private static final int EMPTY = -1;
    private int[] keys;
    private int[] values;
    private int size;

    IntIntMap(int expected) {
        int cap = Integer.highestOneBit(Math.max(4, expected * 2) - 1) << 1;
        keys = new int[cap];
        values = new int[cap];
        Arrays.fill(keys, EMPTY);
    }

    private static int mix(int key) {
        int h = key * 0x9E3779B9;
        return h ^ (h >>> 16);
    }

    int get(int key, int missing) {
        int mask = keys.length - 1;
        for (int i = mix(key) & mask; ; i = (i + 1) & mask) {
            int k = keys[i];
            if (k == key) return values[i];
            if (k == EMPTY) return missing;
        }
    }

    void put(int key, int value) {
        if (key < 0) throw new IllegalArgumentException("negative key " + key);
        int mask = keys.length - 1;
        int i = mix(key) & mask;
        while (keys[i] != EMPTY && keys[i] != key) i = (i + 1) & mask;
        if (keys[i] == EMPTY) {
            keys[i] = key;
            if (++size * 2 > keys.length) {
                values[i] = value;
                grow();
                return;
            }
        }
        values[i] = value;
    }

    /** Adds {@code delta} to the value of {@code key} (missing reads as 0). */
    void add(int key, int delta) {
        put(key, get(key, 0) + delta);
    }

    int size() {
        return size;
    }

    private void grow() {
        int[] oldKeys = keys, oldValues = values;
        keys = new int[oldKeys.length * 2];
        values = new int[oldKeys.length * 2];
        Arrays.fill(keys, EMPTY);
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY) put(oldKeys[i], oldValues[i]);
        }
    }
}

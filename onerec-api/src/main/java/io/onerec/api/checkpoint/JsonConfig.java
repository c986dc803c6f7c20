package io.onerec.api.checkpoint;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A typed view of a checkpoint's {@code config.json}. Getters fail with a {@link CheckpointException} that names the
 * missing or mistyped key, so a wrong config is reported as such instead of as a NullPointerException later.
 */
public final class JsonConfig {
    private final Map<String, Object> values;
    private final String source;

    private JsonConfig(Map<String, Object> values, String source) {
        this.values = values;
        this.source = source;
    }

    @SuppressWarnings("unchecked")
    public static JsonConfig parse(String json, String source) {
        Object v;
        try {
            v = Json.parse(json);
        } catch (CheckpointException e) {
            throw new CheckpointException(source + ": " + e.getMessage(), e);
        }
        if (!(v instanceof Map)) {
            throw new CheckpointException(source + ": expected a JSON object at top level");
        }
        return new JsonConfig((Map<String, Object>) v, source);
    }

    public static Builder builder() {
        return new Builder();
    }

    public String toJson() {
        return Json.write(values);
    }

    public Map<String, Object> asMap() {
        return Collections.unmodifiableMap(values);
    }

    public boolean has(String key) {
        return values.containsKey(key) && values.get(key) != null;
    }

    private Object require(String key) {
        Object v = values.get(key);
        if (v == null) {
            throw new CheckpointException(source + ": missing key '" + key + "'");
        }
        return v;
    }

    private CheckpointException wrongType(String key, String want) {
        return new CheckpointException(source + ": key '" + key + "' should be " + want + " but is " + values.get(key));
    }

    public int getInt(String key) {
        Object v = require(key);
        if (v instanceof Long l && l == l.intValue()) return l.intValue();
        if (v instanceof Double d && d == Math.rint(d) && Math.abs(d) <= Integer.MAX_VALUE) return d.intValue();
        throw wrongType(key, "an int");
    }

    public int getInt(String key, int fallback) {
        return has(key) ? getInt(key) : fallback;
    }

    public long getLong(String key) {
        Object v = require(key);
        if (v instanceof Long l) return l;
        throw wrongType(key, "an integer");
    }

    public double getDouble(String key) {
        Object v = require(key);
        if (v instanceof Number n) return n.doubleValue();
        throw wrongType(key, "a number");
    }

    public double getDouble(String key, double fallback) {
        return has(key) ? getDouble(key) : fallback;
    }

    public boolean getBoolean(String key) {
        Object v = require(key);
        if (v instanceof Boolean b) return b;
        throw wrongType(key, "a boolean");
    }

    public boolean getBoolean(String key, boolean fallback) {
        return has(key) ? getBoolean(key) : fallback;
    }

    public String getString(String key) {
        Object v = require(key);
        if (v instanceof String str) return str;
        throw wrongType(key, "a string");
    }

    public String getString(String key, String fallback) {
        return has(key) ? getString(key) : fallback;
    }

    public int[] getIntArray(String key) {
        if (!(require(key) instanceof List<?> list)) throw wrongType(key, "an array of ints");
        int[] out = new int[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Long l) || l != l.intValue()) throw wrongType(key, "an array of ints");
            out[i] = l.intValue();
        }
        return out;
    }

    public double[] getDoubleArray(String key) {
        if (!(require(key) instanceof List<?> list)) throw wrongType(key, "an array of numbers");
        double[] out = new double[list.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(list.get(i) instanceof Number n)) throw wrongType(key, "an array of numbers");
            out[i] = n.doubleValue();
        }
        return out;
    }

    public List<String> getStringList(String key) {
        if (!(require(key) instanceof List<?> list)) throw wrongType(key, "an array of strings");
        for (Object o : list) {
            if (!(o instanceof String)) throw wrongType(key, "an array of strings");
        }
        @SuppressWarnings("unchecked") List<String> strings = (List<String>) list;
        return List.copyOf(strings);
    }

    @SuppressWarnings("unchecked")
    public JsonConfig getConfig(String key) {
        if (!(require(key) instanceof Map<?, ?> m)) throw wrongType(key, "an object");
        return new JsonConfig((Map<String, Object>) m, source + "/" + key);
    }

    @Override
    public String toString() {
        return toJson();
    }

    /** Builds a config; values may be numbers, strings, booleans, lists, primitive arrays or nested configs. */
    public static final class Builder {
        private final Map<String, Object> values = new LinkedHashMap<>();

        public Builder put(String key, Object value) {
            if (value instanceof JsonConfig c) {
                value = c.values;
            }
            values.put(key, value);
            return this;
        }

        public JsonConfig build() {
            // Round-trip through text so that the built config has exactly the types a parsed one has.
            return parse(Json.write(values), "config");
        }
    }
}

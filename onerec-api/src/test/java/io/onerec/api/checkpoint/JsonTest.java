package io.onerec.api.checkpoint;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonTest {

    @Test
    void parsesTypes() {
        Object v = Json.parse(" {\"i\": -12, \"d\": 1.5e2, \"s\": \"x\", \"t\": true, \"f\": false, \"n\": null, \"a\": [1, [2], {}], \"o\": {}} ");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(-12L, m.get("i"));
        assertEquals(150.0, m.get("d"));
        assertEquals("x", m.get("s"));
        assertEquals(Boolean.TRUE, m.get("t"));
        assertEquals(Boolean.FALSE, m.get("f"));
        assertTrue(m.containsKey("n"));
        assertNull(m.get("n"));
        assertEquals(List.of(1L, List.of(2L), Map.of()), m.get("a"));
        assertEquals(List.of("i", "d", "s", "t", "f", "n", "a", "o"), List.copyOf(m.keySet())); // order kept
    }

    @Test
    void escapesRoundTrip() {
        String nasty = "quote \" backslash \\ slash / newline \n tab \t cr \r bell \u0007 unicode \u00e9\u4e2d";
        Map<String, Object> in = new LinkedHashMap<>();
        in.put(nasty, nasty);
        String text = Json.write(in);
        assertTrue(text.contains("\\u0007") && text.contains("\\n") && text.contains("\\\""), text);
        assertEquals(in, Json.parse(text));
        assertEquals("A\u00e9/\b\f", Json.parse("\"\\u0041\\u00E9\\/\\b\\f\""));
    }

    @Test
    void writeRoundTrip() {
        Map<String, Object> in = new LinkedHashMap<>();
        in.put("ints", new int[]{1, -2});
        in.put("longs", new long[]{Long.MAX_VALUE});
        in.put("floats", new float[]{0.5f, 3f});
        in.put("doubles", new double[]{1e-7, -2.25});
        in.put("list", List.of("a", 3, 2.5));
        in.put("nested", Map.of("k", true));
        in.put("nothing", null);
        Map<?, ?> out = (Map<?, ?>) Json.parse(Json.write(in));
        assertEquals(List.of(1L, -2L), out.get("ints"));
        assertEquals(List.of(Long.MAX_VALUE), out.get("longs"));
        assertEquals(List.of(0.5, 3.0), out.get("floats")); // whole floats are written as "3.0" and stay doubles
        assertEquals(List.of(1e-7, -2.25), out.get("doubles"));
        assertEquals(List.of("a", 3L, 2.5), out.get("list"));
        assertEquals(Map.of("k", true), out.get("nested"));
        assertNull(out.get("nothing"));
        assertThrows(IllegalArgumentException.class, () -> Json.write(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Json.write(new Object()));
    }

    @Test
    void malformedInputNamesOffset() {
        for (String[] c : Arrays.asList(
                new String[]{"{\"a\": 1", "unexpected end of input"},
                new String[]{"{\"a\" 1}", "offset 5: expected ':'"},
                new String[]{"[1 2]", "expected ',' or ']'"},
                new String[]{"{\"a\": 1,}", "expected '\"'"},
                new String[]{"tru", "expected true"},
                new String[]{"\"\\q\"", "bad escape \\q"},
                new String[]{"\"\\u12\"", "\\u escape"},
                new String[]{"1.2.3", "bad number '1.2.3'"},
                new String[]{"{} x", "trailing characters"},
                new String[]{"@", "unexpected character '@'"},
                new String[]{"", "unexpected end of input"})) {
            CheckpointException e = assertThrows(CheckpointException.class, () -> Json.parse(c[0]), c[0]);
            assertTrue(e.getMessage().startsWith("malformed JSON at offset"), e.getMessage());
            assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
        }
    }
}

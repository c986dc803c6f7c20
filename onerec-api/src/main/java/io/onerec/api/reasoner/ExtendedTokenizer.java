package io.onerec.api.reasoner;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A base tokenizer plus added tokens (SID tokens, item and think markers) that are always atomic: the text is
 * first cut at every added token, only the pieces between them reach the base tokenizer. Added tokens the base
 * does not know get ids after the base vocabulary, in the order given, so the SID tokens of one codec are one
 * contiguous id range.
 */
public final class ExtendedTokenizer implements TextTokenizer {
    private final TextTokenizer base;
    private final Map<String, Integer> added = new LinkedHashMap<>();
    private final Map<Integer, String> addedById = new LinkedHashMap<>();
    private final Pattern splitter;
    private final int vocabSize;

    public ExtendedTokenizer(TextTokenizer base, List<String> tokens) {
        this.base = base;
        int next = base.vocabSize();
        for (String t : tokens) {
            if (t.isBlank()) throw new IllegalArgumentException("blank added token");
            if (added.containsKey(t)) throw new IllegalArgumentException("duplicate added token " + t);
            OptionalInt known = base.atomicId(t);
            int id = known.isPresent() ? known.getAsInt() : next++;
            added.put(t, id);
            addedById.put(id, t);
        }
        this.vocabSize = next;
        this.splitter = Pattern.compile(added.keySet().stream().sorted(Comparator.comparingInt(String::length).reversed())
                .map(Pattern::quote).collect(Collectors.joining("|")));
    }

    public TextTokenizer base() {
        return base;
    }

    /** Number of tokens this extension appended to the base vocabulary. */
    public int addedCount() {
        return vocabSize - base.vocabSize();
    }

    @Override
    public int[] encode(String text) {
        List<int[]> parts = new ArrayList<>();
        Matcher m = splitter.matcher(text);
        int from = 0, total = 0;
        while (m.find()) {
            if (m.start() > from) {
                int[] p = base.encode(text.substring(from, m.start()));
                parts.add(p);
                total += p.length;
            }
            parts.add(new int[]{added.get(m.group())});
            total++;
            from = m.end();
        }
        if (from < text.length()) {
            int[] p = base.encode(text.substring(from));
            parts.add(p);
            total += p.length;
        }
        int[] out = new int[total];
        int k = 0;
        for (int[] p : parts) {
            System.arraycopy(p, 0, out, k, p.length);
            k += p.length;
        }
        return out;
    }

    @Override
    public String decode(int[] ids) {
        List<String> pieces = new ArrayList<>();
        List<Integer> run = new ArrayList<>();
        for (int id : ids) {
            if (id < 0 || id >= vocabSize) throw new IllegalArgumentException("token id " + id + " outside [0, " + vocabSize + ")");
            String t = addedById.get(id);
            if (t == null) {
                run.add(id);
                continue;
            }
            flush(run, pieces);
            pieces.add(t);
        }
        flush(run, pieces);
        return String.join(base.joiner(), pieces);
    }

    private void flush(List<Integer> run, List<String> pieces) {
        if (run.isEmpty()) return;
        pieces.add(base.decode(run.stream().mapToInt(Integer::intValue).toArray()));
        run.clear();
    }

    @Override
    public int vocabSize() {
        return vocabSize;
    }

    @Override
    public OptionalInt atomicId(String token) {
        Integer id = added.get(token);
        return id != null ? OptionalInt.of(id) : base.atomicId(token);
    }

    @Override
    public boolean isControl(int id) {
        return id < base.vocabSize() && base.isControl(id);
    }

    @Override
    public String joiner() {
        return base.joiner();
    }
}

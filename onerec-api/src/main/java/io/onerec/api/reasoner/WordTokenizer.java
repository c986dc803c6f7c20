package io.onerec.api.reasoner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A word-level vocabulary built from training texts, for the tiny reasoners trained from scratch here: lower-cased
 * runs of letters/digits and single punctuation marks are tokens; words outside the vocabulary map to
 * {@code <unk>}. Ids 0..2 are {@code <pad>}, {@code <unk>}, {@code <eos>}.
 */
public final class WordTokenizer implements FileTokenizer {
    public static final String PAD = "<pad>", UNK = "<unk>", EOS = "<eos>";
    private static final Pattern WORD = Pattern.compile("[\\p{L}\\p{N}]+|[^\\s\\p{L}\\p{N}]");

    private final List<String> words;
    private final Map<String, Integer> ids = new HashMap<>();

    public WordTokenizer(List<String> words) {
        if (words.size() < 3 || !words.get(0).equals(PAD) || !words.get(1).equals(UNK) || !words.get(2).equals(EOS)) {
            throw new IllegalArgumentException("a word vocabulary must start with " + PAD + ", " + UNK + ", " + EOS);
        }
        this.words = List.copyOf(words);
        for (int i = 0; i < words.size(); i++) {
            if (ids.put(words.get(i), i) != null) throw new IllegalArgumentException("duplicate word " + words.get(i));
        }
    }

    /** The {@code maxWords} most frequent words occurring at least {@code minCount} times (ties by word). */
    public static WordTokenizer build(Iterable<String> texts, int minCount, int maxWords) {
        Map<String, Integer> counts = new HashMap<>();
        for (String t : texts) for (String w : split(t)) counts.merge(w, 1, Integer::sum);
        List<String> vocab = new ArrayList<>(List.of(PAD, UNK, EOS));
        counts.entrySet().stream().filter(e -> e.getValue() >= minCount && !vocab.contains(e.getKey()))
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(maxWords).forEach(e -> vocab.add(e.getKey()));
        return new WordTokenizer(vocab);
    }

    public static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = WORD.matcher(text.toLowerCase(Locale.ROOT));
        while (m.find()) out.add(m.group());
        return out;
    }

    public static WordTokenizer load(Path file) {
        try {
            return new WordTokenizer(Files.readAllLines(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read vocabulary " + file, e);
        }
    }

    /** {@value SidReasoner#VOCAB_FILE}: one word per line, in id order. */
    @Override
    public String fileName() {
        return SidReasoner.VOCAB_FILE;
    }

    @Override
    public void save(Path file) {
        try {
            Files.write(file, words);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public int[] encode(String text) {
        return split(text).stream().mapToInt(w -> ids.getOrDefault(w, 1)).toArray();
    }

    @Override
    public String decode(int[] tokens) {
        StringBuilder sb = new StringBuilder();
        for (int id : tokens) {
            if (id < 0 || id >= words.size()) throw new IllegalArgumentException("token id " + id + " outside [0, " + words.size() + ")");
            if (!sb.isEmpty()) sb.append(' ');
            sb.append(words.get(id));
        }
        return sb.toString();
    }

    @Override
    public int vocabSize() {
        return words.size();
    }

    @Override
    public OptionalInt atomicId(String token) {
        return token.startsWith("<") && ids.containsKey(token) ? OptionalInt.of(ids.get(token)) : OptionalInt.empty();
    }

    @Override
    public boolean isControl(int id) {
        return id < 3;
    }

    @Override
    public String joiner() {
        return " ";
    }

}

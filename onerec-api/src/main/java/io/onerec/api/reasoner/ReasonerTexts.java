package io.onerec.api.reasoner;

import io.onerec.api.SemanticIdCodec;
import io.onerec.api.UserHistory;
import io.onerec.api.ItemMetadata;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The texts of the three training stages, built from public data the way OneRec-Think does when no teacher LLM is
 * at hand:
 * <ul>
 *   <li>itemic alignment: item descriptions ({@code <item SID> title}) and user narratives (history items as SID +
 *   title words, then the next item's SID);</li>
 *   <li>reasoning activation: the narrative, then {@code <think> rationale </think>}, then the next item. The
 *   rationale is a hindsight explanation chain built from the data: the categories/brands that dominate the
 *   history, the history's title keywords, and the attributes and title head of the item the user took next.</li>
 * </ul>
 */
public final class ReasonerTexts {
    private static final Set<String> STOP = Set.of("the", "and", "for", "with", "of", "a", "an", "in", "to", "by", "oz", "ml",
            "pack", "fl", "count", "set", "new", "size", "each");

    private final SemanticIdCodec codec;
    private final ItemMetadata metadata;
    private final int historyItems;
    private final int titleWords;

    /**
     * @param historyItems most recent history items written into a prompt
     * @param titleWords   title words written per item
     */
    public ReasonerTexts(SemanticIdCodec codec, ItemMetadata metadata, int historyItems, int titleWords) {
        if (metadata.itemCount() != codec.itemCount()) {
            throw new IllegalArgumentException("metadata has " + metadata.itemCount() + " items, codec " + codec.itemCount());
        }
        this.codec = codec;
        this.metadata = metadata;
        this.historyItems = historyItems;
        this.titleWords = titleWords;
    }

    public int historyItems() {
        return historyItems;
    }

    public int titleWords() {
        return titleWords;
    }

    public SemanticIdCodec codec() {
        return codec;
    }

    private void checkItem(int item) {
        if (item < 0 || item >= codec.itemCount()) throw new IllegalArgumentException("unknown item " + item + " (catalog has " + codec.itemCount() + ")");
    }

    public String item(int item) {
        checkItem(item);
        return SidVocabulary.text(codec.sidOf(item));
    }

    private List<String> words(int item) {
        List<String> out = new ArrayList<>();
        for (String w : WordTokenizer.split(metadata.title(item))) {
            if (out.size() == titleWords) break;
            if (w.length() > 1 && !STOP.contains(w)) out.add(w);
        }
        return out;
    }

    /** The title words written after an item in prompts (what a checkpoint stores per item). */
    public String itemWords(int item) {
        checkItem(item);
        return String.join(" ", words(item));
    }

    /** "history : <item> words ; <item> words ; next :" over the most recent items. */
    public String prompt(UserHistory user) {
        UserHistory recent = user.lastItems(historyItems);
        StringBuilder sb = new StringBuilder("history :");
        for (int i = 0; i < recent.length(); i++) {
            sb.append(' ').append(item(recent.item(i))).append(' ').append(String.join(" ", words(recent.item(i)))).append(" ;");
        }
        return sb.append(" next :").toString();
    }

    /** Item description for alignment: {@code <item SID> is title words}. */
    public String description(int item) {
        return item(item) + " is " + String.join(" ", words(item));
    }

    /** The hindsight rationale for why {@code user} took {@code target} next. */
    public String rationale(UserHistory user, int target) {
        checkItem(target);
        UserHistory recent = user.lastItems(historyItems);
        Map<Integer, Integer> attrCounts = new HashMap<>();
        Map<String, Integer> wordCounts = new HashMap<>();
        for (int i = 0; i < recent.length(); i++) {
            for (int a : metadata.attributes(recent.item(i))) attrCounts.merge(a, 1, Integer::sum);
            for (String w : words(recent.item(i))) wordCounts.merge(w, 1, Integer::sum);
        }
        StringBuilder sb = new StringBuilder("user likes");
        top(attrCounts, 2).forEach(a -> sb.append(" attr").append(metadata.attributeName(a)));
        sb.append(" ; keywords");
        top(wordCounts, 3).forEach(w -> sb.append(' ').append(w));
        sb.append(" ; so");
        Set<String> next = new LinkedHashSet<>();
        for (int a : metadata.attributes(target)) {
            if (next.size() == 2) break;
            next.add("attr" + metadata.attributeName(a));
        }
        List<String> tw = words(target);
        next.addAll(tw.subList(0, Math.min(2, tw.size())));
        next.forEach(w -> sb.append(' ').append(w));
        return sb.toString();
    }

    private static <K extends Comparable<K>> List<K> top(Map<K, Integer> counts, int n) {
        return counts.entrySet().stream()
                .sorted(Map.Entry.<K, Integer>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .limit(n).map(Map.Entry::getKey).toList();
    }

    // ---------------------------------------------------------------- tokenized examples of each stage

    /** Stage 1 item description: every token after the first is predicted. */
    public TokenExample descriptionExample(SidVocabulary vocab, int item) {
        return new TokenExample(vocab.tokenizer().encode(description(item)), 1);
    }

    /** Stage 1 next-item narrative: loss on the next item's tokens only. */
    public TokenExample nextItemExample(SidVocabulary vocab, UserHistory user, int target) {
        int[] prompt = vocab.tokenizer().encode(prompt(user));
        int[] answer = vocab.tokenizer().encode(item(target));
        return new TokenExample(concat(prompt, answer), prompt.length);
    }

    /** Stage 2: loss on {@code <think>} .. {@code </think>} and the next item. */
    public TokenExample reasoningExample(SidVocabulary vocab, UserHistory user, int target) {
        int[] prompt = vocab.tokenizer().encode(prompt(user));
        int[] answer = vocab.tokenizer().encode(SidVocabulary.THINK_BEGIN + " " + rationale(user, target) + " "
                + SidVocabulary.THINK_END + " " + item(target));
        return new TokenExample(concat(prompt, answer), prompt.length);
    }

    public static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** All texts of the stages for these users (to build a word vocabulary from). */
    public List<String> vocabularyTexts(List<UserHistory> users, int[] targets) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < users.size(); i++) {
            out.add(prompt(users.get(i)));
            out.add(rationale(users.get(i), targets[i]));
        }
        for (int item = 0; item < codec.itemCount(); item++) out.add(description(item));
        return out;
    }
}

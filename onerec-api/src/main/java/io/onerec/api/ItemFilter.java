package io.onerec.api;

import io.onerec.api.sid.PrefixTrie;
import io.onerec.api.sid.TrieMask;
import io.onerec.api.sid.TrieMasks;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * A request-time business rule on which items may be generated (a blocklist, an availability predicate, allowed
 * categories as SID prefixes), applied inside constrained decoding ({@link DecodingOptions#withFilter}) rather than
 * after it: the search never expands a prefix whose items are all filtered out, so with beam width k it still
 * returns k allowed items whenever k exist, and never returns a filtered one.
 *
 * <p>A filter is a value; {@link #mask} turns it into a {@link TrieMask} for one search over one trie (per node:
 * does its subtree hold an allowed item), which is also the form a backend needs for per-node allowed-children masks.
 * Item lists cost O(listed items x SID length) per search, prefixes O(prefixes x SID length), and a predicate is
 * evaluated lazily, only under the prefixes the search reaches (stopping at the first allowed leaf of each); prefer
 * a blocklist or allowlist over a predicate that rejects most of the catalog.
 */
public sealed interface ItemFilter {

    /** Whether this filter lets {@code item}, whose SID is {@code sid}, be generated. */
    boolean allows(int item, SemanticId sid);

    /** The filter as a mask over one trie, for one search (masks memoise and are not thread-safe). */
    TrieMask mask(PrefixTrie trie);

    /** Items allowed by this filter and by {@code other}. */
    default ItemFilter and(ItemFilter other) {
        return allOf(this, other);
    }

    /** Every item. */
    static ItemFilter none() {
        return None.INSTANCE;
    }

    /** Every item except these (e.g. already shown, out of policy); items unknown to the catalog are ignored. */
    static ItemFilter blocklist(int... items) {
        return new Blocklist(sortedDistinct(items, "blocklist"));
    }

    static ItemFilter blocklist(Collection<Integer> items) {
        return blocklist(items.stream().mapToInt(Integer::intValue).toArray());
    }

    /** Only these items (e.g. a candidate set from retrieval); items unknown to the catalog are ignored. */
    static ItemFilter allowlist(int... items) {
        return new Allowlist(sortedDistinct(items, "allowlist"));
    }

    static ItemFilter allowlist(Collection<Integer> items) {
        return allowlist(items.stream().mapToInt(Integer::intValue).toArray());
    }

    /**
     * Only items for which {@code available} holds (e.g. in stock). It is called during decoding, from the decoding
     * thread, possibly many times per request, so it must be fast, side-effect free and thread-safe.
     */
    static ItemFilter predicate(IntPredicate available) {
        return new Predicate(available);
    }

    /**
     * Only items whose SID starts with one of these prefixes (e.g. allowed categories); prefixes may have different
     * lengths, each at most the SID length.
     */
    static ItemFilter allowedPrefixes(Collection<SemanticId> prefixes) {
        if (prefixes.isEmpty()) {
            throw new IllegalArgumentException("no allowed prefixes: the filter would reject every item");
        }
        return new Prefixes(Set.copyOf(prefixes));
    }

    /** Items allowed by all the filters. */
    static ItemFilter allOf(ItemFilter... filters) {
        List<ItemFilter> parts = new ArrayList<>();
        for (ItemFilter f : filters) {
            switch (f) {
                case None n -> { }
                case AllOf a -> parts.addAll(a.parts());
                default -> parts.add(f);
            }
        }
        if (parts.isEmpty()) return none();
        if (parts.size() == 1) return parts.getFirst();
        return new AllOf(List.copyOf(parts));
    }

    private static int[] sortedDistinct(int[] items, String what) {
        int[] s = items.clone();
        Arrays.sort(s);
        int n = 0;
        for (int i = 0; i < s.length; i++) {
            if (s[i] < 0) throw new IllegalArgumentException(what + " holds a negative item id " + s[i]);
            if (n == 0 || s[n - 1] != s[i]) s[n++] = s[i];
        }
        return Arrays.copyOf(s, n);
    }

    /** See {@link #none()}. */
    enum None implements ItemFilter {
        INSTANCE;

        @Override
        public boolean allows(int item, SemanticId sid) {
            return true;
        }

        @Override
        public TrieMask mask(PrefixTrie trie) {
            return TrieMask.ALL;
        }
    }

    /** See {@link #blocklist(int...)}; {@code items} sorted and distinct. */
    record Blocklist(int[] items) implements ItemFilter {
        @Override
        public boolean allows(int item, SemanticId sid) {
            return Arrays.binarySearch(items, item) < 0;
        }

        @Override
        public TrieMask mask(PrefixTrie trie) {
            return TrieMasks.blocked(trie, items);
        }
    }

    /** See {@link #allowlist(int...)}; {@code items} sorted and distinct. */
    record Allowlist(int[] items) implements ItemFilter {
        @Override
        public boolean allows(int item, SemanticId sid) {
            return Arrays.binarySearch(items, item) >= 0;
        }

        @Override
        public TrieMask mask(PrefixTrie trie) {
            return TrieMasks.allowedItems(trie, items);
        }
    }

    /** See {@link #predicate(IntPredicate)}. */
    record Predicate(IntPredicate available) implements ItemFilter {
        @Override
        public boolean allows(int item, SemanticId sid) {
            return available.test(item);
        }

        @Override
        public TrieMask mask(PrefixTrie trie) {
            return TrieMasks.itemPredicate(trie, available);
        }
    }

    /** See {@link #allowedPrefixes(Collection)}. */
    record Prefixes(Set<SemanticId> prefixes) implements ItemFilter {
        @Override
        public boolean allows(int item, SemanticId sid) {
            for (SemanticId p : prefixes) if (sid.startsWith(p)) return true;
            return false;
        }

        @Override
        public TrieMask mask(PrefixTrie trie) {
            return TrieMasks.prefixes(trie, prefixes);
        }
    }

    /** See {@link #allOf(ItemFilter...)}. */
    record AllOf(List<ItemFilter> parts) implements ItemFilter {
        @Override
        public boolean allows(int item, SemanticId sid) {
            for (ItemFilter f : parts) if (!f.allows(item, sid)) return false;
            return true;
        }

        @Override
        public TrieMask mask(PrefixTrie trie) {
            List<TrieMask> masks = new ArrayList<>();
            List<IntPredicate> tests = new ArrayList<>();
            for (ItemFilter f : parts) {
                // Predicates join the conjunction as leaf tests, so their lazy search is shared with the others'.
                if (f instanceof Predicate p) tests.add(p.available());
                else masks.add(f.mask(trie));
            }
            return TrieMasks.and(trie, masks, tests);
        }
    }
}

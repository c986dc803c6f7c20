package io.onerec.libtorch.generator;

import io.onerec.api.UserHistory;
import io.onerec.tools.data.NextItemExample;

import java.util.ArrayList;
import java.util.List;

/** A training target: the session of items (length 1 for next-item training) that followed a history. */
public record SessionExample(UserHistory history, int[] items) {
    public SessionExample {
        if (items == null || items.length == 0) {
            throw new IllegalArgumentException("a session example needs at least one target item");
        }
        items = items.clone();
    }

    @Override
    public int[] items() {
        return items.clone();
    }

    public static List<SessionExample> nextItem(List<NextItemExample> examples) {
        List<SessionExample> out = new ArrayList<>(examples.size());
        for (NextItemExample e : examples) out.add(new SessionExample(e.history(), new int[]{e.target()}));
        return out;
    }
}

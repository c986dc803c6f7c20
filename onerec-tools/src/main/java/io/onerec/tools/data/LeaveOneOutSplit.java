package io.onerec.tools.data;

import io.onerec.api.UserHistory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * The leave-one-out protocol of S3-Rec and TIGER. For a user with sequence {@code s} of length {@code n}:
 * <ul>
 *   <li>test: target {@code s[n-1]}, history {@code s[0..n-2]};</li>
 *   <li>validation: target {@code s[n-2]}, history {@code s[0..n-3]};</li>
 *   <li>training: one example per prefix, target {@code s[i]} with history {@code s[0..i-1]} for
 *       {@code i = 1..n-3} (how TIGER builds its training data).</li>
 * </ul>
 * Every history keeps only the most recent {@code maxHistory} items (TIGER uses 20).
 *
 * <p>Users with fewer than {@value #MIN_LENGTH} interactions cannot give both a validation and a test target; they
 * are left out of all three parts, counted in {@link #skippedUsers()} and logged. (Amazon 5-core data has none.)
 * Their items still belong to the catalog.
 */
public final class LeaveOneOutSplit {
    private static final Logger LOG = LoggerFactory.getLogger(LeaveOneOutSplit.class);
    public static final int MIN_LENGTH = 3;
    public static final int DEFAULT_MAX_HISTORY = 20;

    private final InteractionSequences data;
    private final int maxHistory;
    private final List<NextItemExample> train;
    private final List<NextItemExample> validation;
    private final List<NextItemExample> test;
    private final int[][] trainSequences;
    private final int skippedUsers;

    private LeaveOneOutSplit(InteractionSequences data, int maxHistory) {
        if (maxHistory < 1) {
            throw new IllegalArgumentException("maxHistory must be >= 1, got " + maxHistory);
        }
        this.data = data;
        this.maxHistory = maxHistory;
        List<NextItemExample> tr = new ArrayList<>();
        List<NextItemExample> va = new ArrayList<>();
        List<NextItemExample> te = new ArrayList<>();
        int[][] trainSeqs = new int[data.userCount()][];
        int skipped = 0;
        for (int u = 0; u < data.userCount(); u++) {
            int[] s = data.sequence(u);
            int n = s.length;
            if (n < MIN_LENGTH) {
                skipped++;
                trainSeqs[u] = new int[0];
                continue;
            }
            for (int i = 1; i <= n - 3; i++) {
                tr.add(example(u, s, i));
            }
            va.add(example(u, s, n - 2));
            te.add(example(u, s, n - 1));
            trainSeqs[u] = trainingPart(s);
        }
        if (skipped > 0) {
            LOG.warn("{}: {} of {} users have fewer than {} interactions and are left out of the split",
                    data.name(), skipped, data.userCount(), MIN_LENGTH);
        }
        this.train = Collections.unmodifiableList(tr);
        this.validation = Collections.unmodifiableList(va);
        this.test = Collections.unmodifiableList(te);
        this.trainSequences = trainSeqs;
        this.skippedUsers = skipped;
        LOG.info("{} leave-one-out (max history {}): {} train examples, {} validation, {} test",
                data.name(), maxHistory, tr.size(), va.size(), te.size());
    }

    /**
     * The part of a user's whole sequence that a model may learn from: all but the validation and test targets, i.e.
     * {@code s[0..n-3]}, or nothing when the user is left out (fewer than {@value #MIN_LENGTH} items). The rule of
     * {@link #trainSequence}, for code that streams sequences instead of holding a split.
     */
    public static int[] trainingPart(int[] sequence) {
        return sequence.length < MIN_LENGTH ? new int[0] : Arrays.copyOf(sequence, sequence.length - 2);
    }

    public static LeaveOneOutSplit of(InteractionSequences data) {
        return new LeaveOneOutSplit(data, DEFAULT_MAX_HISTORY);
    }

    public static LeaveOneOutSplit of(InteractionSequences data, int maxHistory) {
        return new LeaveOneOutSplit(data, maxHistory);
    }

    private NextItemExample example(int user, int[] s, int targetPos) {
        int from = Math.max(0, targetPos - maxHistory);
        return new NextItemExample(new UserHistory(user, Arrays.copyOfRange(s, from, targetPos)), s[targetPos], targetPos);
    }

    public InteractionSequences data() {
        return data;
    }

    public int itemCount() {
        return data.itemCount();
    }

    public int maxHistory() {
        return maxHistory;
    }

    /** Prefix examples, users in order, targets in time order within a user. */
    public List<NextItemExample> train() {
        return train;
    }

    public List<NextItemExample> validation() {
        return validation;
    }

    public List<NextItemExample> test() {
        return test;
    }

    /**
     * The training part of a user's sequence, {@code s[0..n-3]}, untruncated: every interaction a model may learn
     * from (empty for skipped users). Validation and test targets are never in it.
     */
    public int[] trainSequence(int user) {
        return trainSequences[user].clone();
    }

    /** Interactions per item over the training parts only (no validation or test target is counted). */
    public int[] trainItemCounts() {
        int[] counts = new int[data.itemCount()];
        for (int[] s : trainSequences) {
            for (int item : s) counts[item]++;
        }
        return counts;
    }

    /**
     * How often users come back to an item: the share of training targets ({@code s[i]}, {@code i >= 1}, training parts
     * only) that occur among the {@link #maxHistory()} items before them, i.e. in the history a model is shown. Near 0
     * (Amazon 5-core and MovieLens have exactly 0), recommending an item of the user's history wastes a slot of the
     * list, and a recommender should leave them out ({@code DecodingOptions.withExcludeHistory}); on data with repeat
     * consumption (music, groceries) it should not. Measured on training data only, so deciding by it peeks at no
     * validation or test target.
     */
    public double repeatShare() {
        long targets = 0, repeats = 0;
        for (int[] s : trainSequences) {
            for (int i = 1; i < s.length; i++) {
                targets++;
                for (int j = Math.max(0, i - maxHistory); j < i; j++) {
                    if (s[j] == s[i]) {
                        repeats++;
                        break;
                    }
                }
            }
        }
        return targets == 0 ? 0.0 : (double) repeats / targets;
    }

    /** Users left out because their sequences are shorter than {@value #MIN_LENGTH}. */
    public int skippedUsers() {
        return skippedUsers;
    }
}

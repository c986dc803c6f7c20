package io.onerec.tools.sim;

import io.onerec.api.UserHistory;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Simulated users with known feedback probabilities, because public data sets log no watch time, follows or likes.
 *
 * <p>Every user u and item i has a latent taste vector (N(0, I) of dimension D); their affinity is
 * {@code a(u,i) = t_u . t_i / sqrt(D)}, roughly N(0, 1). Items also have a quality q_i and a creator appeal c_i,
 * both N(0, 1). Each objective k fires independently with probability
 * {@code p_k(u,i) = sigmoid(alpha_k a(u,i) + beta_k q_i + gamma_k c_i + delta_k)} (the table {@link #OBJECTIVES});
 * a session's probability for objective k is the mean of its items' probabilities, and its logged label is one
 * Bernoulli draw with that probability. A user's history is drawn without replacement with probability
 * proportional to {@code exp(a(u,i) / historyTemperature)}, so the history reveals the taste the reward model must
 * infer. Everything is seeded, so a simulator is a fixed, reproducible world.
 */
public final class FeedbackSimulator {
    /** Objective names, in the order of the probabilities and labels this simulator returns. */
    public static final List<String> OBJECTIVES = List.of("watch_time", "view", "follow", "like");
    // alpha (taste), beta (quality), gamma (creator appeal), delta (offset) per objective.
    private static final double[][] COEFFICIENTS = {
            {2.5, 1.0, 0.0, -0.5},  // watch_time: a long watch (more than half of the item)
            {2.0, 0.5, 0.0, 0.5},   // view: the item was viewed at all
            {2.0, 0.0, 1.5, -2.5},  // follow: the item's creator was followed
            {3.0, 0.5, 0.0, -1.5},  // like
    };

    /**
     * @param users              simulated users
     * @param items              catalog size
     * @param tasteDim           D, the latent dimension
     * @param historyLength      items in each user's history
     * @param historyTemperature lower = histories closer to the user's taste
     * @param seed               fixes the world
     */
    public record Config(int users, int items, int tasteDim, int historyLength, double historyTemperature, long seed) {
        public Config {
            if (users < 1 || items < 2 || tasteDim < 1 || historyLength < 1 || historyLength >= items || !(historyTemperature > 0)) {
                throw new IllegalArgumentException("invalid simulator config " + this);
            }
        }

        public static Config of(int users, int items, long seed) {
            return new Config(users, items, 8, 10, 0.5, seed);
        }
    }

    private final Config config;
    private final float[][] userTaste;
    private final float[][] itemTaste;
    private final float[] quality;
    private final float[] creator;
    private final UserHistory[] histories;

    public FeedbackSimulator(Config config) {
        this.config = config;
        Random r = new Random(config.seed());
        userTaste = gaussian(config.users(), config.tasteDim(), r);
        itemTaste = gaussian(config.items(), config.tasteDim(), r);
        quality = gaussian(1, config.items(), r)[0];
        creator = gaussian(1, config.items(), r)[0];
        histories = new UserHistory[config.users()];
        for (int u = 0; u < config.users(); u++) histories[u] = drawHistory(u, r);
    }

    private static float[][] gaussian(int rows, int cols, Random r) {
        float[][] m = new float[rows][cols];
        for (float[] row : m) for (int j = 0; j < cols; j++) row[j] = (float) r.nextGaussian();
        return m;
    }

    public Config config() {
        return config;
    }

    public int users() {
        return config.users();
    }

    public int items() {
        return config.items();
    }

    public List<String> objectives() {
        return OBJECTIVES;
    }

    /** The user's taste vector (a copy), e.g. to initialise or inspect embeddings. */
    public float[] itemTaste(int item) {
        return itemTaste[checkItem(item)].clone();
    }

    public double affinity(int user, int item) {
        float[] a = userTaste[checkUser(user)], b = itemTaste[checkItem(item)];
        double dot = 0;
        for (int j = 0; j < a.length; j++) dot += a[j] * b[j];
        return dot / Math.sqrt(a.length);
    }

    /** Ground-truth probability of each objective for one item shown to the user. */
    public double[] itemProbabilities(int user, int item) {
        double a = affinity(user, item);
        double[] p = new double[OBJECTIVES.size()];
        for (int k = 0; k < p.length; k++) {
            double[] c = COEFFICIENTS[k];
            p[k] = sigmoid(c[0] * a + c[1] * quality[item] + c[2] * creator[item] + c[3]);
        }
        return p;
    }

    /** Ground-truth probability of each objective for a session: the mean over its items. */
    public double[] sessionProbabilities(int user, int[] session) {
        if (session.length == 0) throw new IllegalArgumentException("empty session");
        double[] p = new double[OBJECTIVES.size()];
        for (int item : session) {
            double[] q = itemProbabilities(user, item);
            for (int k = 0; k < p.length; k++) p[k] += q[k] / session.length;
        }
        return p;
    }

    /** The user's (fixed) history; its userId is the simulator's user index. */
    public UserHistory history(int user) {
        return histories[checkUser(user)];
    }

    /** Shows a session to a user and draws the logged feedback. */
    public LoggedSession show(int user, int[] session, Random rnd) {
        double[] p = sessionProbabilities(user, session);
        float[] y = new float[p.length];
        for (int k = 0; k < p.length; k++) y[k] = rnd.nextDouble() < p[k] ? 1f : 0f;
        return new LoggedSession(histories[user], session, y, p);
    }

    /**
     * Logs {@code count} sessions of {@code length} items for users drawn from [fromUser, toUser): each item is
     * with probability one half drawn by the user's taste (as a recommender would) and otherwise uniformly, so
     * the logs hold both liked and disliked sessions.
     */
    public List<LoggedSession> logSessions(int count, int length, int fromUser, int toUser, Random rnd) {
        if (fromUser < 0 || toUser > users() || fromUser >= toUser) {
            throw new IllegalArgumentException("user range [" + fromUser + ", " + toUser + ") outside [0, " + users() + ")");
        }
        List<LoggedSession> out = new ArrayList<>(count);
        for (int n = 0; n < count; n++) {
            int u = fromUser + rnd.nextInt(toUser - fromUser);
            int[] s = new int[length];
            for (int j = 0; j < length; j++) s[j] = rnd.nextBoolean() ? sampleByTaste(u, 1.0, rnd) : rnd.nextInt(items());
            out.add(show(u, s, rnd));
        }
        return out;
    }

    /** One item drawn with probability proportional to exp(affinity / temperature). */
    public int sampleByTaste(int user, double temperature, Random rnd) {
        double[] w = new double[items()];
        double max = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < w.length; i++) {
            w[i] = affinity(user, i) / temperature;
            max = Math.max(max, w[i]);
        }
        double sum = 0;
        for (int i = 0; i < w.length; i++) sum += (w[i] = Math.exp(w[i] - max));
        double x = rnd.nextDouble() * sum;
        for (int i = 0; i < w.length; i++) {
            x -= w[i];
            if (x <= 0) return i;
        }
        return w.length - 1;
    }

    private UserHistory drawHistory(int user, Random r) {
        // Gumbel top-k: sampling without replacement proportional to exp(affinity / temperature).
        double[] keys = new double[items()];
        Integer[] order = new Integer[items()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = affinity(user, i) / config.historyTemperature() - Math.log(-Math.log(Math.max(1e-300, r.nextDouble())));
            order[i] = i;
        }
        Arrays.sort(order, (x, y) -> Double.compare(keys[y], keys[x]));
        int[] h = new int[config.historyLength()];
        for (int j = 0; j < h.length; j++) h[j] = order[j];
        return new UserHistory(user, h);
    }

    private int checkUser(int user) {
        if (user < 0 || user >= config.users()) throw new IllegalArgumentException("unknown user " + user + " (simulator has " + config.users() + ")");
        return user;
    }

    private int checkItem(int item) {
        if (item < 0 || item >= config.items()) throw new IllegalArgumentException("unknown item " + item + " (simulator has " + config.items() + ")");
        return item;
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }
}

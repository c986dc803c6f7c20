package io.onerec.api.reward;

import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.api.checkpoint.JsonConfig;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Shape of the OneRec reward model (docs/reward-model.md), shared by the LibTorch trainer and the pure-Java scorer
 * so both read and write the same checkpoint.
 *
 * @param itemCount     rows of the item-embedding table (item indices are in [0, itemCount))
 * @param dModel        embedding and attention width
 * @param maxHistory    most recent history items the target attention reads
 * @param objectives    one sigmoid tower per name, e.g. watch_time, view, follow, like
 * @param towerHidden   hidden width of each tower's MLP
 * @param fusion        how tower probabilities become one reward
 * @param fusionWeights weight of each objective in the weighted fusion, and in the MLP fusion's training target
 * @param fusionHidden  hidden width of the fusion MLP (ignored for the weighted fusion)
 * @param itemBias      a learned bias per item and objective added to each tower's logit (tensor {@code item_bias}):
 *                      what an item's own like rate says, without spending embedding capacity on it
 * @param historyFeedback the history items carry the user's feedback ({@link io.onerec.api.UserHistory#feedback()}):
 *                      two learned vectors (tensor {@code history_feedback}) mixed by it are added to each history
 *                      item's embedding, so the target attention sees what the user thought of what they saw
 */
public record RewardModelConfig(int itemCount, int dModel, int maxHistory, List<String> objectives, int towerHidden,
                                Fusion fusion, double[] fusionWeights, int fusionHidden, boolean itemBias,
                                boolean historyFeedback) {
    public static final String KIND = "onerec-reward";
    public static final List<String> DEFAULT_OBJECTIVES = List.of("watch_time", "view", "follow", "like");

    /** Fusion of the per-objective probabilities into one score. */
    public enum Fusion {
        /** sum_k w_k p_k */
        WEIGHTED,
        /** a small learned MLP over (p_1..p_K): the P-score of OneRec */
        MLP;

        public String jsonName() {
            return name().toLowerCase();
        }

        public static Fusion fromJson(String s) {
            for (Fusion f : values()) {
                if (f.jsonName().equals(s)) return f;
            }
            throw new IllegalArgumentException("unknown fusion '" + s + "', expected weighted or mlp");
        }
    }

    public RewardModelConfig {
        if (itemCount < 1 || dModel < 1 || maxHistory < 1 || towerHidden < 1) {
            throw new IllegalArgumentException("itemCount, dModel, maxHistory, towerHidden must be >= 1");
        }
        objectives = List.copyOf(objectives);
        if (objectives.isEmpty()) throw new IllegalArgumentException("at least one objective is needed");
        if (objectives.stream().distinct().count() != objectives.size()) {
            throw new IllegalArgumentException("duplicate objective names in " + objectives);
        }
        for (String o : objectives) {
            if (!o.matches("[A-Za-z0-9_]+")) throw new IllegalArgumentException("objective name '" + o + "' must match [A-Za-z0-9_]+");
        }
        if (fusion == null) throw new IllegalArgumentException("fusion must not be null");
        if (fusionWeights == null || fusionWeights.length != objectives.size()) {
            throw new IllegalArgumentException("need one fusion weight per objective (" + objectives.size() + ")");
        }
        fusionWeights = fusionWeights.clone();
        if (fusion == Fusion.MLP && fusionHidden < 1) throw new IllegalArgumentException("fusionHidden must be >= 1 for the MLP fusion");
    }

    /** The model without item bias and history feedback (the layout of checkpoints written before they existed). */
    public RewardModelConfig(int itemCount, int dModel, int maxHistory, List<String> objectives, int towerHidden,
                             Fusion fusion, double[] fusionWeights, int fusionHidden) {
        this(itemCount, dModel, maxHistory, objectives, towerHidden, fusion, fusionWeights, fusionHidden, false, false);
    }

    /**
     * Default objectives, equal weights, weighted fusion; no item bias and no history feedback (turn them on with
     * {@link #withItemBias} and {@link #withHistoryFeedback} where the data has feedback, as on MovieLens).
     */
    public static RewardModelConfig of(int itemCount, int dModel) {
        double[] w = new double[DEFAULT_OBJECTIVES.size()];
        Arrays.fill(w, 1.0 / w.length);
        return new RewardModelConfig(itemCount, dModel, 20, DEFAULT_OBJECTIVES, 2 * dModel, Fusion.WEIGHTED, w, 8, false, false);
    }

    public RewardModelConfig withFusion(Fusion f, double[] weights) {
        return new RewardModelConfig(itemCount, dModel, maxHistory, objectives, towerHidden, f, weights, fusionHidden, itemBias, historyFeedback);
    }

    public RewardModelConfig withMaxHistory(int max) {
        return new RewardModelConfig(itemCount, dModel, max, objectives, towerHidden, fusion, fusionWeights, fusionHidden, itemBias, historyFeedback);
    }

    public RewardModelConfig withItemBias(boolean on) {
        return new RewardModelConfig(itemCount, dModel, maxHistory, objectives, towerHidden, fusion, fusionWeights, fusionHidden, on, historyFeedback);
    }

    public RewardModelConfig withHistoryFeedback(boolean on) {
        return new RewardModelConfig(itemCount, dModel, maxHistory, objectives, towerHidden, fusion, fusionWeights, fusionHidden, itemBias, on);
    }

    @Override
    public double[] fusionWeights() {
        return fusionWeights.clone();
    }

    public int objectiveCount() {
        return objectives.size();
    }

    /** Every tensor name and shape in checkpoint order (docs/reward-model.md). */
    public Map<String, long[]> parameterShapes() {
        Map<String, long[]> s = new LinkedHashMap<>();
        long d = dModel;
        s.put("item_embedding", new long[]{itemCount, d});
        if (itemBias) s.put("item_bias", new long[]{itemCount, objectives.size()});
        if (historyFeedback) s.put("history_feedback", new long[]{2, d});
        for (String block : new String[]{"target_attn", "self_attn"}) {
            for (String w : new String[]{"q", "k", "v", "o"}) s.put(block + "." + w + ".weight", new long[]{d, d});
        }
        for (String o : objectives) {
            s.put("towers." + o + ".fc1.weight", new long[]{towerHidden, d});
            s.put("towers." + o + ".fc1.bias", new long[]{towerHidden});
            s.put("towers." + o + ".fc2.weight", new long[]{1, towerHidden});
            s.put("towers." + o + ".fc2.bias", new long[]{1});
        }
        if (fusion == Fusion.MLP) {
            s.put("fusion.fc1.weight", new long[]{fusionHidden, objectives.size()});
            s.put("fusion.fc1.bias", new long[]{fusionHidden});
            s.put("fusion.fc2.weight", new long[]{1, fusionHidden});
            s.put("fusion.fc2.bias", new long[]{1});
        }
        return s;
    }

    public JsonConfig toJson() {
        return JsonConfig.builder()
                .put("item_count", itemCount).put("d_model", dModel).put("max_history", maxHistory)
                .put("objectives", objectives).put("tower_hidden", towerHidden)
                .put("fusion", fusion.jsonName()).put("fusion_weights", fusionWeights).put("fusion_hidden", fusionHidden)
                .put("item_bias", itemBias).put("history_feedback", historyFeedback)
                .build();
    }

    public static RewardModelConfig fromJson(JsonConfig c) {
        try {
            return new RewardModelConfig(c.getInt("item_count"), c.getInt("d_model"), c.getInt("max_history"),
                    c.getStringList("objectives"), c.getInt("tower_hidden"), Fusion.fromJson(c.getString("fusion")),
                    c.getDoubleArray("fusion_weights"), c.getInt("fusion_hidden", 0),
                    c.getBoolean("item_bias", false), c.getBoolean("history_feedback", false));
        } catch (IllegalArgumentException e) {
            throw new CheckpointException("invalid reward-model config: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RewardModelConfig r && itemCount == r.itemCount && dModel == r.dModel && maxHistory == r.maxHistory
                && objectives.equals(r.objectives) && towerHidden == r.towerHidden && fusion == r.fusion
                && Arrays.equals(fusionWeights, r.fusionWeights) && fusionHidden == r.fusionHidden && itemBias == r.itemBias
                && historyFeedback == r.historyFeedback;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(new Object[]{itemCount, dModel, maxHistory, objectives, towerHidden, fusion,
                Arrays.hashCode(fusionWeights), fusionHidden, itemBias, historyFeedback});
    }

    @Override
    public String toString() {
        return "RewardModelConfig[items=" + itemCount + ", d=" + dModel + ", maxHistory=" + maxHistory + ", objectives="
                + objectives + ", towerHidden=" + towerHidden + ", fusion=" + fusion.jsonName() + " "
                + Arrays.toString(fusionWeights) + ", itemBias=" + itemBias + ", historyFeedback=" + historyFeedback + "]";
    }
}

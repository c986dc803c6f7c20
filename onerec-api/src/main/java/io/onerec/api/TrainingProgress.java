package io.onerec.api;

import java.util.Map;

/**
 * A progress report from a long job (codec fit, training, evaluation).
 *
 * @param phase   what is running, e.g. "codec/level-1", "generator/train", "ipa/epoch-2"
 * @param step    steps done in this phase
 * @param total   steps planned in this phase, or -1 when unknown
 * @param loss    latest loss, NaN when not applicable
 * @param metrics named values, e.g. validation recall
 */
public record TrainingProgress(String phase, long step, long total, double loss, Map<String, Double> metrics) {
    public TrainingProgress {
        metrics = Map.copyOf(metrics);
    }
}

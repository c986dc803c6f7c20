package io.onerec.api;

/** Receives progress of long jobs; implementations must be cheap and must not throw. */
@FunctionalInterface
public interface ProgressListener {
    ProgressListener NONE = p -> { };

    void onProgress(TrainingProgress progress);

    /** A listener that logs every report through slf4j at INFO. */
    static ProgressListener logging(org.slf4j.Logger log) {
        return p -> log.info("{} {}/{} loss={} {}", p.phase(), p.step(), p.total() < 0 ? "?" : p.total(),
                Double.isNaN(p.loss()) ? "-" : String.format("%.4f", p.loss()), p.metrics());
    }
}

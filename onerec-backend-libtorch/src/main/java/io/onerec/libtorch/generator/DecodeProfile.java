package io.onerec.libtorch.generator;

import java.util.concurrent.atomic.LongAdder;

/**
 * Developer tooling: CPU time per phase of LibTorch beam-search decoding, accumulated over all calls while the
 * system property {@value #PROPERTY} is {@code true} (read once at class load; off, each probe is one branch).
 * It reads the calling thread's CPU time, not the wall clock, so that it measures work even on a machine whose
 * cores other processes are using; run LibTorch with one intra-op thread ({@code -Donerec.torch.threads=1}) so that
 * all of its work happens on the calling thread. On CUDA ops are queued and this does not apply (the device's time
 * lands on the next synchronising call, the copy of the log-probabilities to the host).
 * {@code onerec-bench}'s {@code GeneratorProfile} prints it; docs/libtorch-performance.md has the measured split.
 */
public final class DecodeProfile {
    public static final String PROPERTY = "onerec.torch.profile";
    static final boolean ENABLED = Boolean.getBoolean(PROPERTY);

    /** The phases of one search; HOST_SEARCH is the shared host-side beam search (everything outside the decoder). */
    public enum Phase {
        /** Session start: encoder, cross-attention keys/values, buffers. */
        START,
        /** Self-attention cache reorder by parent slot. */
        REORDER,
        /** Token embeddings (+ BOS state) of the step's inputs, tokens copied to the device. */
        EMBED,
        /** The decoder layers. */
        LAYERS,
        /** Final norm, level head, log-softmax. */
        HEAD,
        /** Log-probabilities copied to the Java heap. */
        COPY,
        /** Everything else of a generateBatch call: the shared host beam search over the copied log-probabilities. */
        HOST_SEARCH
    }

    private static final LongAdder[] NANOS = new LongAdder[Phase.values().length];
    private static final LongAdder CALLS = new LongAdder();

    static {
        for (int i = 0; i < NANOS.length; i++) NANOS[i] = new LongAdder();
    }

    private DecodeProfile() {
    }

    public static boolean enabled() {
        return ENABLED;
    }

    private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

    /** The calling thread's CPU time in nanoseconds. */
    public static long threadCpuNanos() {
        return THREADS.getCurrentThreadCpuTime();
    }

    /** A timestamp (thread CPU time) when profiling, else 0 (no clock read). */
    static long start() {
        return ENABLED ? threadCpuNanos() : 0;
    }

    /** Adds the time since {@code since} to {@code phase}; returns the new timestamp so probes chain. */
    static long lap(Phase phase, long since) {
        if (!ENABLED) return 0;
        long now = threadCpuNanos();
        NANOS[phase.ordinal()].add(now - since);
        return now;
    }

    /** Decoder time so far (all phases but HOST_SEARCH); a call's start mark for {@link #endCall}. */
    static long decoderNanos() {
        long sum = 0;
        for (Phase p : Phase.values()) if (p != Phase.HOST_SEARCH) sum += NANOS[p.ordinal()].sum();
        return sum;
    }

    /**
     * Ends one search that started at {@code since} when the decoder total was {@code decoderMark}: what the decoder
     * did not account for is the host search (meaningful with one thread decoding at a time, as the profiler runs).
     */
    static void endCall(long since, long decoderMark) {
        if (!ENABLED) return;
        long elapsed = threadCpuNanos() - since;
        NANOS[Phase.HOST_SEARCH.ordinal()].add(elapsed - (decoderNanos() - decoderMark));
        CALLS.increment();
    }

    public static void reset() {
        for (LongAdder a : NANOS) a.reset();
        CALLS.reset();
    }

    /** Milliseconds per generateBatch call of each phase, and each phase's share of the total. */
    public static String summary() {
        long calls = Math.max(1, CALLS.sum()), total = 0;
        for (LongAdder a : NANOS) total += a.sum();
        StringBuilder sb = new StringBuilder(String.format("%d calls, %.2f CPU ms per call:", CALLS.sum(), total / 1e6 / calls));
        for (Phase p : Phase.values()) {
            long n = NANOS[p.ordinal()].sum();
            sb.append(String.format("%n  %-12s %9.2f ms %5.1f%%", p, n / 1e6 / calls, total == 0 ? 0 : 100.0 * n / total));
        }
        return sb.toString();
    }
}

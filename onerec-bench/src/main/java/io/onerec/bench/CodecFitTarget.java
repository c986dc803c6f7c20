package io.onerec.bench;

import io.onerec.api.ItemEmbeddings;
import io.onerec.api.ProgressListener;
import io.onerec.core.codec.CodecReport;
import io.onerec.core.codec.ResidualCodecFitter;
import io.onerec.core.codec.ResidualCodecFitter.Config;
import io.onerec.core.codec.ResidualCodecFitter.Method;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One fit at OneRec scale outside JMH, with progress logging: by default 1,000,000 x 256 synthetic embeddings,
 * 3 x 8192 balanced K-means, 2 threads. Arguments (all optional): n dim k method maxIterations threads
 * candidateClusters convergence (see {@link Config}); logs each level's iterations, last change rate and
 * quantization error (mean squared residual).
 *
 * <pre>java --add-modules jdk.incubator.vector -Xmx12g -cp onerec-bench/target/benchmarks.jar io.onerec.bench.CodecFitTarget</pre>
 * The pruned fit (exact first iteration, then 32 candidate clusters per point, stop below 1% changed):
 * <pre>... io.onerec.bench.CodecFitTarget 1000000 256 8192 BALANCED 50 2 32 0.01</pre>
 */
public final class CodecFitTarget {
    private static final Logger LOG = LoggerFactory.getLogger(CodecFitTarget.class);

    private CodecFitTarget() {
    }

    public static void main(String[] args) {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int dim = args.length > 1 ? Integer.parseInt(args[1]) : 256;
        int k = args.length > 2 ? Integer.parseInt(args[2]) : 8192;
        Method method = args.length > 3 ? Method.valueOf(args[3]) : Method.BALANCED;
        int iterations = args.length > 4 ? Integer.parseInt(args[4]) : 5;
        int threads = args.length > 5 ? Integer.parseInt(args[5]) : 2;
        int candidates = args.length > 6 ? Integer.parseInt(args[6]) : 0;
        double convergence = args.length > 7 ? Double.parseDouble(args[7]) : 0;
        long t0 = System.nanoTime();
        ItemEmbeddings data = SyntheticEmbeddings.mixture(n, dim, Math.max(16, k / 4), 7);
        LOG.info("generated {} x {} embeddings in {} ms", n, dim, (System.nanoTime() - t0) / 1_000_000);
        Config config = Config.of(3, k, method).withMaxIterations(iterations).withThreads(threads)
                .withCandidateClusters(candidates).withConvergence(convergence);
        java.util.Map<String, Double> lastChange = new java.util.TreeMap<>();
        ProgressListener log = ProgressListener.logging(LOG);
        // Process CPU seconds next to every iteration: on a shared machine the wall time says little.
        var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        long cpuStart = os.getProcessCpuTime();
        CodecReport report = new ResidualCodecFitter(config, p -> {
            lastChange.put(p.phase(), p.metrics().get("changed"));
            log.onProgress(p);
            LOG.info("{} iteration {}: process CPU {} s since the fit began", p.phase(), p.step(),
                    String.format("%.1f", (os.getProcessCpuTime() - cpuStart) / 1e9));
        }).fit(data).report();
        report.levels().forEach(l -> LOG.info("{}", l));
        LOG.info("last change rate per level: {}; mean squared norm before {}", lastChange, report.meanSquaredNorm());
        LOG.info("fit: {} ms ({} min), {} s of process CPU, collision rate {}", report.fitMillis(),
                String.format("%.2f", report.fitMillis() / 60000.0), String.format("%.1f", (os.getProcessCpuTime() - cpuStart) / 1e9),
                report.collisionRate());
    }
}

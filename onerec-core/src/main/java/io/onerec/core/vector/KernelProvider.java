package io.onerec.core.vector;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one vectorization provider of every pure-Java kernel (Lucene style): the dense {@link Kernels} of the
 * generator, reasoner and reward scorer (GEMM, dot, axpy, attention) and the codec's {@link DistanceKernel}. The
 * choice between the Panama (Vector API) implementations and the scalar ones is made once per JVM, on first use,
 * and held in {@link Holder}.
 *
 * <p>The Panama classes are loaded by name and only when {@code jdk.incubator.vector} is in the boot layer, so a
 * JVM started without {@code --add-modules jdk.incubator.vector} never touches them. {@code -Donerec.cpu.scalar=true}
 * forces the scalar implementations (e.g. to measure what the Vector API buys). The Panama distance kernel is only
 * used when its panels are at least 16 centroids wide (narrower SIMD does not beat the scalar kernel).
 */
public final class KernelProvider {
    private static final Logger LOG = LoggerFactory.getLogger(KernelProvider.class);
    public static final String FORCE_SCALAR_PROPERTY = "onerec.cpu.scalar";
    private static final String PANAMA_KERNELS = "io.onerec.core.vector.PanamaKernels";
    private static final String PANAMA_DISTANCE = "io.onerec.core.vector.PanamaDistanceKernel";
    private static final int MIN_DISTANCE_PANEL = 16;

    private KernelProvider() {
    }

    /** The implementations chosen for this JVM. */
    private record Choice(Kernels kernels, DistanceKernel distance) {
    }

    /** Initialised on first use, once (class initialisation is thread-safe and lazy). */
    private static final class Holder {
        static final Choice CHOSEN = choose();
    }

    /** The dense kernels chosen at startup. */
    public static Kernels get() {
        return Holder.CHOSEN.kernels();
    }

    /** The codec's distance kernel chosen at startup. */
    public static DistanceKernel distanceKernel() {
        return Holder.CHOSEN.distance();
    }

    public static Kernels scalar() {
        return new ScalarKernels();
    }

    public static DistanceKernel scalarDistanceKernel() {
        return new ScalarDistanceKernel();
    }

    public static boolean vectorApiPresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** The Vector API kernels; throws when the JVM was started without {@code --add-modules jdk.incubator.vector}. */
    public static Kernels panama() {
        return loadPanama(PANAMA_KERNELS, Kernels.class);
    }

    /** The Vector API distance kernel; throws when the Vector API is absent. */
    public static DistanceKernel panamaDistanceKernel() {
        return loadPanama(PANAMA_DISTANCE, DistanceKernel.class);
    }

    private static Choice choose() {
        if (Boolean.getBoolean(FORCE_SCALAR_PROPERTY)) {
            LOG.info("vectorization: scalar (forced by -D{})", FORCE_SCALAR_PROPERTY);
            return new Choice(scalar(), scalarDistanceKernel());
        }
        if (!vectorApiPresent()) {
            LOG.info("vectorization: scalar (jdk.incubator.vector not present; add --add-modules jdk.incubator.vector)");
            return new Choice(scalar(), scalarDistanceKernel());
        }
        Kernels kernels;
        DistanceKernel distance;
        try {
            kernels = panama();
            distance = panamaDistanceKernel();
        } catch (IllegalStateException e) {
            LOG.warn("vectorization: scalar ({})", e.getMessage());
            return new Choice(scalar(), scalarDistanceKernel());
        }
        if (distance.panelWidth() < MIN_DISTANCE_PANEL) {
            LOG.info("vectorization: {} kernels; scalar distance kernel ({} lanes would not pay off)", kernels.name(), distance.panelWidth());
            return new Choice(kernels, scalarDistanceKernel());
        }
        LOG.info("vectorization: Vector API ({} kernels, {} distance kernel)", kernels.name(), distance.name());
        return new Choice(kernels, distance);
    }

    private static <T> T loadPanama(String className, Class<T> type) {
        if (!vectorApiPresent()) {
            throw new IllegalStateException("the Vector API is not available: start the JVM with --add-modules jdk.incubator.vector");
        }
        try {
            // The Panama classes are package-private next to their scalar twins.
            var constructor = Class.forName(className).getDeclaredConstructor();
            constructor.setAccessible(true);
            return type.cast(constructor.newInstance());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("cannot load " + className + ": " + e, e);
        }
    }
}

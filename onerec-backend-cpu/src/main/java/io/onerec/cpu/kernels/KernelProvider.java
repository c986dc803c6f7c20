package io.onerec.cpu.kernels;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the generator kernels once, Lucene style: {@code PanamaKernels} when {@code jdk.incubator.vector} is in the
 * boot module layer (the class is only loaded then), otherwise {@link ScalarKernels}. {@code -Donerec.cpu.scalar=true}
 * forces the scalar kernels (e.g. to measure what the Vector API buys).
 */
public final class KernelProvider {
    private static final Logger LOG = LoggerFactory.getLogger(KernelProvider.class);
    private static final String PANAMA_CLASS = "io.onerec.cpu.kernels.PanamaKernels";
    private static final Kernels DEFAULT = create();

    private KernelProvider() {
    }

    /** The kernels chosen at startup. */
    public static Kernels get() {
        return DEFAULT;
    }

    public static Kernels scalar() {
        return new ScalarKernels();
    }

    public static boolean vectorApiPresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** The Vector API kernels; throws when the JVM was started without {@code --add-modules jdk.incubator.vector}. */
    public static Kernels panama() {
        if (!vectorApiPresent()) {
            throw new IllegalStateException("the Vector API is not available: start the JVM with --add-modules jdk.incubator.vector");
        }
        try {
            return (Kernels) Class.forName(PANAMA_CLASS).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("cannot load the Panama kernels: " + e, e);
        }
    }

    private static Kernels create() {
        if (Boolean.getBoolean("onerec.cpu.scalar")) {
            LOG.info("generator kernels: scalar (forced by -Donerec.cpu.scalar)");
            return scalar();
        }
        if (!vectorApiPresent()) {
            LOG.info("generator kernels: scalar (jdk.incubator.vector not present; add --add-modules jdk.incubator.vector)");
            return scalar();
        }
        try {
            Kernels k = panama();
            LOG.info("generator kernels: {}", k.name());
            return k;
        } catch (IllegalStateException e) {
            LOG.warn("generator kernels: scalar ({})", e.getMessage());
            return scalar();
        }
    }
}

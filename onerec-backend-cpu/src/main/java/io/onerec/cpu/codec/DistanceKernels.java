package io.onerec.cpu.codec;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Picks the distance kernel once, Lucene style: the Panama kernel when {@code jdk.incubator.vector} is in the boot
 * module layer (the class is only loaded then), otherwise the scalar kernel. {@code -Donerec.cpu.scalar=true}
 * forces the scalar kernel.
 */
public final class DistanceKernels {
    private static final Logger LOG = LoggerFactory.getLogger(DistanceKernels.class);
    private static final String PANAMA_CLASS = "io.onerec.cpu.codec.PanamaDistanceKernel";
    private static final DistanceKernel DEFAULT = create();

    private DistanceKernels() {
    }

    /** The kernel chosen at startup. */
    public static DistanceKernel get() {
        return DEFAULT;
    }

    public static DistanceKernel scalar() {
        return new ScalarDistanceKernel();
    }

    public static boolean vectorApiPresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** The Panama kernel; throws when the JVM was started without {@code --add-modules jdk.incubator.vector}. */
    public static DistanceKernel panama() {
        if (!vectorApiPresent()) {
            throw new IllegalStateException("the Vector API is not available: start the JVM with --add-modules jdk.incubator.vector");
        }
        try {
            return (DistanceKernel) Class.forName(PANAMA_CLASS).getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("cannot load the Panama distance kernel: " + e, e);
        }
    }

    private static DistanceKernel create() {
        if (Boolean.getBoolean("onerec.cpu.scalar")) {
            LOG.info("distance kernel: scalar (forced by -Donerec.cpu.scalar)");
            return scalar();
        }
        if (!vectorApiPresent()) {
            LOG.info("distance kernel: scalar (jdk.incubator.vector not present; add --add-modules jdk.incubator.vector)");
            return scalar();
        }
        try {
            DistanceKernel k = panama();
            if (k.panelWidth() < 16) {
                LOG.info("distance kernel: scalar (Panama panel width {} too narrow to pay off)", k.panelWidth());
                return scalar();
            }
            LOG.info("distance kernel: {}", k.name());
            return k;
        } catch (IllegalStateException e) {
            LOG.warn("distance kernel: scalar ({})", e.getMessage());
            return scalar();
        }
    }
}

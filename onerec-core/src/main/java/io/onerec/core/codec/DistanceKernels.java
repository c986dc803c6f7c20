package io.onerec.core.codec;

import io.onerec.core.vector.VectorSupport;

/**
 * Picks the distance kernel once (see {@link VectorSupport}): the Panama kernel when the Vector API is present and
 * its panels are wide enough to pay off, otherwise the scalar kernel.
 */
public final class DistanceKernels {
    private static final String PANAMA_CLASS = "io.onerec.core.codec.PanamaDistanceKernel";
    private static final DistanceKernel DEFAULT = VectorSupport.choose("distance kernel", PANAMA_CLASS, DistanceKernel.class,
            DistanceKernels::scalar, k -> k.panelWidth() >= 16);

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
        return VectorSupport.vectorApiPresent();
    }

    /** The Panama kernel; throws when the JVM was started without {@code --add-modules jdk.incubator.vector}. */
    public static DistanceKernel panama() {
        return VectorSupport.loadPanama(PANAMA_CLASS, DistanceKernel.class);
    }
}

package io.onerec.core.vector;

import io.onerec.core.vector.VectorSupport;

/**
 * Picks the generator kernels once (see {@link VectorSupport}): {@code PanamaKernels} when the Vector API is
 * present, otherwise {@link ScalarKernels}.
 */
public final class KernelProvider {
    private static final String PANAMA_CLASS = "io.onerec.core.vector.PanamaKernels";
    private static final Kernels DEFAULT = VectorSupport.choose("generator kernels", PANAMA_CLASS, Kernels.class,
            KernelProvider::scalar, k -> true);

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
        return VectorSupport.vectorApiPresent();
    }

    /** The Vector API kernels; throws when the JVM was started without {@code --add-modules jdk.incubator.vector}. */
    public static Kernels panama() {
        return VectorSupport.loadPanama(PANAMA_CLASS, Kernels.class);
    }
}

package io.onerec.core.vector;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Lucene-style choice between a Panama (Vector API) implementation and a scalar one, made once per kernel family at
 * startup. The Panama class is loaded by name and only when {@code jdk.incubator.vector} is in the boot layer, so a
 * JVM started without {@code --add-modules jdk.incubator.vector} never touches it. {@code -Donerec.cpu.scalar=true}
 * forces the scalar implementations (e.g. to measure what the Vector API buys).
 */
public final class VectorSupport {
    private static final Logger LOG = LoggerFactory.getLogger(VectorSupport.class);
    public static final String FORCE_SCALAR_PROPERTY = "onerec.cpu.scalar";

    private VectorSupport() {
    }

    public static boolean vectorApiPresent() {
        return ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    }

    /** Instantiates the named Panama class; throws when the Vector API is absent or the class cannot load. */
    public static <T> T loadPanama(String className, Class<T> type) {
        if (!vectorApiPresent()) {
            throw new IllegalStateException("the Vector API is not available: start the JVM with --add-modules jdk.incubator.vector");
        }
        try {
            // Panama classes stay package-private next to their scalar twins; this helper lives one package up.
            var constructor = Class.forName(className).getDeclaredConstructor();
            constructor.setAccessible(true);
            return type.cast(constructor.newInstance());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("cannot load " + className + ": " + e, e);
        }
    }

    /**
     * The Panama implementation when it is present, loads, and passes {@code worthIt}; otherwise the scalar one.
     * Logs the choice and why, under {@code what}.
     */
    public static <T> T choose(String what, String panamaClass, Class<T> type, Supplier<T> scalar, Predicate<T> worthIt) {
        if (Boolean.getBoolean(FORCE_SCALAR_PROPERTY)) {
            LOG.info("{}: scalar (forced by -D{})", what, FORCE_SCALAR_PROPERTY);
            return scalar.get();
        }
        if (!vectorApiPresent()) {
            LOG.info("{}: scalar (jdk.incubator.vector not present; add --add-modules jdk.incubator.vector)", what);
            return scalar.get();
        }
        try {
            T panama = loadPanama(panamaClass, type);
            if (!worthIt.test(panama)) {
                LOG.info("{}: scalar (the Panama implementation would not pay off on this CPU)", what);
                return scalar.get();
            }
            LOG.info("{}: {} (Vector API)", what, panama.getClass().getSimpleName());
            return panama;
        } catch (IllegalStateException e) {
            LOG.warn("{}: scalar ({})", what, e.getMessage());
            return scalar.get();
        }
    }
}

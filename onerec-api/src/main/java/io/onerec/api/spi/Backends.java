package io.onerec.api.spi;

import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.api.reasoner.TextTokenizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Chooses a backend: the one named by the system property {@value #PROPERTY} when set (failing loudly when it is
 * missing or cannot load), otherwise the available backend with the highest priority.
 */
public final class Backends {
    public static final String PROPERTY = "onerec.backend";
    private static final Logger LOG = LoggerFactory.getLogger(Backends.class);

    private Backends() {
    }

    /** All backends on the class path, highest priority first, available or not. */
    public static List<Backend> installed() {
        return installed(Thread.currentThread().getContextClassLoader());
    }

    public static List<Backend> installed(ClassLoader loader) {
        List<Backend> all = new ArrayList<>();
        for (Backend b : ServiceLoader.load(Backend.class, loader)) {
            all.add(b);
        }
        all.sort(Comparator.comparingInt(Backend::priority).reversed().thenComparing(Backend::name));
        return all;
    }

    /** The backend to use, honouring {@code -Donerec.backend}. */
    public static Backend get() {
        return choose(installed(), System.getProperty(PROPERTY));
    }

    /** The named backend; throws when it is not installed or not available. */
    public static Backend get(String name) {
        return choose(installed(), name);
    }

    /** The named backend when it is installed and available here; empty otherwise (never throws). */
    public static Optional<Backend> find(String name) {
        return installed().stream().filter(b -> b.name().equalsIgnoreCase(name) && b.isAvailable()).findFirst();
    }

    /**
     * Reads a Hugging Face {@code tokenizer.json} with the first installed backend that can
     * ({@link Backend#readsHfTokenizers()}), whichever backend runs the model: the pure-Java model serves with the
     * LibTorch module's tokenizer binding when both are on the class path.
     *
     * @throws CheckpointException naming the file when no installed backend reads Hugging Face tokenizers
     */
    public static TextTokenizer loadHfTokenizer(Path tokenizerJson) {
        List<Backend> all = installed();
        for (Backend b : all) {
            if (b.readsHfTokenizers()) return b.loadHfTokenizer(tokenizerJson);
        }
        throw new CheckpointException(tokenizerJson + " is a Hugging Face tokenizer, and no installed backend reads those (installed: "
                + all.stream().map(Backend::name).toList() + "); add onerec-backend-libtorch, which binds the tokenizers library");
    }

    static Backend choose(List<Backend> candidates, String forced) {
        if (forced != null && !forced.isBlank()) {
            String want = forced.trim().toLowerCase(Locale.ROOT);
            for (Backend b : candidates) {
                if (b.name().equalsIgnoreCase(want)) {
                    if (!b.isAvailable()) {
                        throw new IllegalStateException("backend '" + want + "' was requested (-D" + PROPERTY + ") but cannot run here: "
                                + b.unavailableReason());
                    }
                    LOG.info("using backend '{}' (forced by -D{})", b.name(), PROPERTY);
                    return b;
                }
            }
            throw new IllegalStateException("backend '" + want + "' was requested (-D" + PROPERTY + ") but is not installed; installed: "
                    + candidates.stream().map(Backend::name).toList());
        }
        List<String> skipped = new ArrayList<>();
        for (Backend b : candidates) {
            if (b.isAvailable()) {
                LOG.info("using backend '{}' (priority {})", b.name(), b.priority());
                return b;
            }
            skipped.add(b.name() + ": " + b.unavailableReason());
        }
        throw new IllegalStateException(candidates.isEmpty()
                ? "no onerec backend on the class path; add onerec-backend-cpu or onerec-backend-libtorch"
                : "no onerec backend can run here: " + skipped);
    }
}

package io.onerec.testing;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the shared data sets (Amazon Beauty, MovieLens-100K) are, for tests that read them. When they are absent the
 * calling test is skipped (a JUnit assumption) with a message saying where they were looked for, instead of
 * failing: the data is not part of the repository.
 */
public final class SharedData {
    /** The system property surefire sets from the build's {@code onerec.data.dir}. */
    public static final String PROPERTY = "onerec.data.dir";

    private SharedData() {
    }

    /** The data directory; skips the calling test when it or one of the {@code required} sub-paths is missing. */
    public static Path dir(String... required) {
        String value = System.getProperty(PROPERTY);
        Assumptions.assumeTrue(value != null && !value.isBlank(),
                "skipped: -D" + PROPERTY + " is not set, so the shared data sets cannot be found");
        Path dir = Path.of(value);
        Assumptions.assumeTrue(Files.isDirectory(dir),
                "skipped: shared data sets not found at " + dir.toAbsolutePath() + " (set -D" + PROPERTY + ")");
        for (String r : required) {
            Assumptions.assumeTrue(Files.exists(dir.resolve(r)),
                    "skipped: " + dir.resolve(r).toAbsolutePath() + " not found (set -D" + PROPERTY + ")");
        }
        return dir;
    }

    /** The data directory with Amazon Beauty in it, or the calling test is skipped. */
    public static Path beauty() {
        return dir("amazon-beauty");
    }

    /** The data directory with MovieLens-100K in it, or the calling test is skipped. */
    public static Path movieLens100k() {
        return dir("ml-100k");
    }
}

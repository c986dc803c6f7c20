package io.onerec.tools.data;

import io.onerec.api.ItemMetadata;
import io.onerec.api.DataFileException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locations of the data sets under a data directory laid out as {@code amazon-beauty/} and {@code ml-100k/}. Tests
 * and examples find the directory through the system property {@value #PROPERTY}.
 */
public final class Datasets {
    public static final String PROPERTY = "onerec.data.dir";

    private Datasets() {
    }

    /** The directory named by {@code -Donerec.data.dir}; throws naming the property when unset or missing. */
    public static Path dataDir() {
        String dir = System.getProperty(PROPERTY);
        if (dir == null || dir.isBlank()) {
            throw new IllegalStateException("system property " + PROPERTY + " is not set; point it at the shared data directory");
        }
        Path p = Path.of(dir);
        if (!Files.isDirectory(p)) {
            throw new IllegalStateException(PROPERTY + "=" + dir + " is not a directory");
        }
        return p;
    }

    public static Path beautySequences(Path dataDir) {
        return require(dataDir.resolve("amazon-beauty").resolve("Beauty.txt"));
    }

    public static Path movieLens100kInteractions(Path dataDir) {
        return require(dataDir.resolve("ml-100k").resolve("ml-100k.inter"));
    }

    public static Path movieLens100kItems(Path dataDir) {
        return require(dataDir.resolve("ml-100k").resolve("ml-100k.item"));
    }

    /** Amazon Beauty 5-core sequences. */
    public static InteractionSequences beauty(Path dataDir) {
        return AmazonSequenceReader.read(beautySequences(dataDir));
    }

    /** Titles (may be empty), attribute ids and ASINs of Amazon Beauty items. */
    public static ItemMetadata beautyMetadata(Path dataDir, InteractionSequences beauty) {
        return AmazonMetadataReader.read(beautySequences(dataDir), beauty);
    }

    /** MovieLens-100K sequences, time-ordered, with ratings. */
    public static InteractionSequences movieLens100k(Path dataDir) {
        return RecBoleAtomicReader.readInteractions(movieLens100kInteractions(dataDir), true);
    }

    /** MovieLens-100K titles and genres. */
    public static ItemMetadata movieLens100kMetadata(Path dataDir, InteractionSequences ml) {
        return RecBoleAtomicReader.readItems(movieLens100kItems(dataDir), ml);
    }

    private static Path require(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DataFileException("data file not found: " + file);
        }
        return file;
    }
}

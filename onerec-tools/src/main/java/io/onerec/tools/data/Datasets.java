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
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Datasets.class);
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

    /** Titles (may be empty), attribute ids and ASINs of Amazon Beauty items; all three files must be there. */
    public static ItemMetadata beautyMetadata(Path dataDir, InteractionSequences beauty) {
        Path sequences = beautySequences(dataDir), dir = sequences.getParent();
        return AmazonMetadataReader.read(sequences, require(dir.resolve(AmazonMetadataReader.ASIN_SEQUENCES)),
                require(dir.resolve(AmazonMetadataReader.TITLES)), require(dir.resolve("Beauty_item2attributes.json")), beauty);
    }

    /** MovieLens-100K sequences, time-ordered, with ratings. */
    public static InteractionSequences movieLens100k(Path dataDir) {
        return RecBoleAtomicReader.readInteractions(movieLens100kInteractions(dataDir), true);
    }

    /** MovieLens-100K titles and genres. */
    public static ItemMetadata movieLens100kMetadata(Path dataDir, InteractionSequences ml) {
        return RecBoleAtomicReader.readItems(movieLens100kItems(dataDir), ml);
    }

    /**
     * Interaction sequences from any file in a supported format: RecBole atomic interactions ({@code *.inter}:
     * user, item, rating, timestamp columns), otherwise the Amazon/S3-Rec sequence format ({@code user item item ...}
     * per line, in time order). The data set is named after the file.
     */
    public static InteractionSequences sequences(Path file) {
        require(file);
        return file.getFileName().toString().endsWith(".inter")
                ? RecBoleAtomicReader.readInteractions(file, false)
                : AmazonSequenceReader.read(file);
    }

    /**
     * Item metadata read from the files next to a sequence file when they are there, and none otherwise (every
     * title empty, no attributes; logged), so that a bare sequence file is enough to train and evaluate:
     * <ul>
     *   <li>RecBole {@code <stem>.inter}: titles and genres from {@code <stem>.item};</li>
     *   <li>Amazon {@code <Name>.txt}: {@value AmazonMetadataReader#ASIN_SEQUENCES}, {@value AmazonMetadataReader#TITLES}
     *       (titles: both are needed) and {@code <Name>_item2attributes.json} (attributes) in the same directory,
     *       each part used when it is there.</li>
     * </ul>
     */
    public static ItemMetadata metadata(Path file, InteractionSequences sequences) {
        Path dir = file.toAbsolutePath().getParent();
        String name = file.getFileName().toString();
        if (name.endsWith(".inter")) {
            Path items = dir.resolve(name.substring(0, name.length() - ".inter".length()) + ".item");
            if (Files.isRegularFile(items)) return RecBoleAtomicReader.readItems(items, sequences);
        } else if (AmazonMetadataReader.hasAny(file)) {
            return AmazonMetadataReader.read(file, sequences);
        }
        LOG.info("{}: no item metadata next to {}, items have no titles or attributes", sequences.name(), file);
        int n = sequences.itemCount();
        return new ItemMetadata(new String[n], new int[n][], null);
    }

    private static Path require(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new DataFileException("data file not found: " + file);
        }
        return file;
    }
}

package io.onerec.tools.data;

import io.onerec.api.ItemMetadata;
import io.onerec.api.DataFileException;
import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.api.checkpoint.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Item titles and attributes for the S3-Rec Amazon data ({@code amazon-beauty/}; the other S3-Rec categories have
 * only the attributes file):
 * <ul>
 *   <li>{@code user_sequence_asin.txt}: the same sequences as {@code Beauty.txt}, line by line, with ASINs; zipping
 *       the two gives item -> ASIN (checked to be one-to-one);</li>
 *   <li>{@code item_titles.txt}: {@code ASIN title words...};</li>
 *   <li>{@code Beauty_item2attributes.json}: raw item id -> attribute ids.</li>
 * </ul>
 */
public final class AmazonMetadataReader {
    private static final Logger LOG = LoggerFactory.getLogger(AmazonMetadataReader.class);

    public static final String ASIN_SEQUENCES = "user_sequence_asin.txt";
    public static final String TITLES = "item_titles.txt";

    private AmazonMetadataReader() {
    }

    /**
     * Reads the metadata next to a sequence file {@code <dir>/<Name>.txt}: titles when {@value #ASIN_SEQUENCES} and
     * {@value #TITLES} are both there (titles are keyed by ASIN, which only the parallel ASIN sequences give), and
     * attributes when {@code <Name>_item2attributes.json} is there (keyed by the sequence file's own item ids, so it
     * needs nothing else: the S3-Rec Sports and Toys files come with attributes but no titles). Parts that are absent
     * are left empty (logged); {@link #hasAny} says whether anything is there at all.
     */
    public static ItemMetadata read(Path sequenceFile, InteractionSequences sequences) {
        Path dir = sequenceFile.toAbsolutePath().getParent();
        Path asinFile = dir.resolve(ASIN_SEQUENCES), titlesFile = dir.resolve(TITLES), attributesFile = attributesFile(sequenceFile);
        boolean titles = Files.isRegularFile(asinFile) && Files.isRegularFile(titlesFile);
        boolean attributes = Files.isRegularFile(attributesFile);
        if (!titles) {
            LOG.info("{}: no titles ({} and {} are both needed next to {})", sequences.name(), ASIN_SEQUENCES, TITLES, sequenceFile);
        }
        if (!attributes) LOG.info("{}: no attributes ({} is not there)", sequences.name(), attributesFile.getFileName());
        return read(sequenceFile, titles ? asinFile : null, titles ? titlesFile : null, attributes ? attributesFile : null, sequences);
    }

    /** Whether any metadata {@link #read(Path, InteractionSequences)} would use lies next to the sequence file. */
    public static boolean hasAny(Path sequenceFile) {
        Path dir = sequenceFile.toAbsolutePath().getParent();
        return Files.isRegularFile(attributesFile(sequenceFile))
                || (Files.isRegularFile(dir.resolve(ASIN_SEQUENCES)) && Files.isRegularFile(dir.resolve(TITLES)));
    }

    private static Path attributesFile(Path sequenceFile) {
        String stem = sequenceFile.getFileName().toString().replaceFirst("\\.txt$", "");
        return sequenceFile.toAbsolutePath().getParent().resolve(stem + "_item2attributes.json");
    }

    /**
     * @param asinSequences  the ASIN sequences parallel to the sequence file, or null (then no titles either)
     * @param titlesFile     ASIN -> title lines, or null for no titles
     * @param attributesFile item id -> attribute ids JSON, or null for no attributes
     */
    public static ItemMetadata read(Path sequenceFile, Path asinSequences, Path titlesFile, Path attributesFile,
                                    InteractionSequences sequences) {
        if (titlesFile != null && asinSequences == null) {
            throw new IllegalArgumentException("titles are keyed by ASIN: " + titlesFile + " needs the ASIN sequences too");
        }
        int n = sequences.itemCount();
        String[] asins = asinSequences == null ? null : zipAsins(sequenceFile, asinSequences, sequences);
        String[] titles = titlesFile == null ? new String[n] : readTitles(titlesFile, asins);
        int[][] attributes = attributesFile == null ? new int[n][] : readAttributes(attributesFile, sequences);
        return new ItemMetadata(titles, attributes, null, asins);
    }

    /** Item -> ASIN, from the two parallel sequence files. */
    private static String[] zipAsins(Path sequenceFile, Path asinFile, InteractionSequences sequences) {
        int n = sequences.itemCount();
        String[] asins = new String[n];
        Map<String, Integer> asinToItem = new HashMap<>(n * 2);
        try (BufferedReader in = Files.newBufferedReader(asinFile, StandardCharsets.UTF_8)) {
            String line;
            int user = 0;
            while ((line = in.readLine()) != null) {
                long lineNo = user + 1;
                if (user >= sequences.userCount() && line.isBlank()) continue; // trailing blank lines
                if (user >= sequences.userCount()) {
                    throw DataFileException.at(asinFile, lineNo, "more lines than the " + sequences.userCount() + " users of " + sequenceFile);
                }
                String[] tok = line.trim().split("\\s+");
                int[] seq = sequences.sequence(user);
                if (tok.length - 1 != seq.length) {
                    throw DataFileException.at(asinFile, lineNo, (tok.length - 1) + " items, but line " + lineNo + " of "
                            + sequenceFile + " has " + seq.length + " (files are not parallel)");
                }
                for (int i = 0; i < seq.length; i++) {
                    String asin = tok[i + 1];
                    int item = seq[i];
                    if (asins[item] == null) {
                        asins[item] = asin;
                    } else if (!asins[item].equals(asin)) {
                        throw DataFileException.at(asinFile, lineNo, "item " + sequences.rawItemId(item) + " is ASIN " + asins[item]
                                + " elsewhere but " + asin + " here");
                    }
                    Integer other = asinToItem.putIfAbsent(asin, item);
                    if (other != null && other != item) {
                        throw DataFileException.at(asinFile, lineNo, "ASIN " + asin + " maps to items " + sequences.rawItemId(other)
                                + " and " + sequences.rawItemId(item));
                    }
                }
                user++;
            }
            if (user != sequences.userCount()) {
                throw new DataFileException(asinFile + " has " + user + " lines, " + sequenceFile + " has " + sequences.userCount() + " users");
            }
        } catch (IOException e) {
            throw new DataFileException("cannot read " + asinFile + ": " + e.getMessage(), e);
        }
        return asins;
    }

    private static String[] readTitles(Path file, String[] asins) {
        Map<String, Integer> itemOf = new HashMap<>(asins.length * 2);
        for (int i = 0; i < asins.length; i++) itemOf.put(asins[i], i);
        String[] titles = new String[asins.length];
        int unknown = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long lineNo = 0;
            while ((line = in.readLine()) != null) {
                lineNo++;
                String s = line.strip();
                if (s.isEmpty()) continue;
                int space = s.indexOf(' ');
                String asin = space < 0 ? s : s.substring(0, space);
                Integer item = itemOf.get(asin);
                if (item == null) {
                    unknown++;
                    continue;
                }
                if (titles[item] != null) {
                    throw DataFileException.at(file, lineNo, "second title for ASIN " + asin);
                }
                titles[item] = space < 0 ? "" : s.substring(space + 1).strip();
            }
        } catch (IOException e) {
            throw new DataFileException("cannot read " + file + ": " + e.getMessage(), e);
        }
        int missing = 0, empty = 0;
        for (int i = 0; i < titles.length; i++) {
            if (titles[i] == null) {
                missing++;
                titles[i] = "";
            } else if (titles[i].isEmpty()) {
                empty++;
            }
        }
        if (unknown > 0) LOG.warn("{}: {} titles for ASINs not in the sequences (ignored)", file, unknown);
        if (missing + empty > 0) LOG.info("{}: {} items without a title line, {} with an empty title", file, missing, empty);
        return titles;
    }

    private static int[][] readAttributes(Path file, InteractionSequences sequences) {
        Object parsed;
        try {
            parsed = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new DataFileException("cannot read " + file + ": " + e.getMessage(), e);
        } catch (CheckpointException e) {
            throw new DataFileException(file + ": " + e.getMessage(), e);
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            throw new DataFileException(file + ": expected a JSON object of item id -> attribute ids");
        }
        int[][] attrs = new int[sequences.itemCount()][];
        for (Map.Entry<?, ?> e : map.entrySet()) {
            String raw = (String) e.getKey();
            var item = sequences.itemIndex(raw);
            if (item.isEmpty()) {
                throw new DataFileException(file + ": item id '" + raw + "' is not in " + sequences.name());
            }
            if (!(e.getValue() instanceof List<?> list)) {
                throw new DataFileException(file + ": attributes of item '" + raw + "' are not an array");
            }
            int[] a = new int[list.size()];
            for (int i = 0; i < a.length; i++) {
                if (!(list.get(i) instanceof Long l) || l < 0 || l > Integer.MAX_VALUE) {
                    throw new DataFileException(file + ": item '" + raw + "' has attribute " + list.get(i) + ", expected a non-negative integer");
                }
                a[i] = l.intValue();
            }
            attrs[item.getAsInt()] = a;
        }
        int missing = 0;
        for (int i = 0; i < attrs.length; i++) {
            if (attrs[i] == null) {
                missing++;
                attrs[i] = new int[0];
            }
        }
        if (missing > 0) LOG.info("{}: {} items have no attributes", file, missing);
        return attrs;
    }
}

package io.onerec.tools.data;

import io.onerec.api.DataFileException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the S3-Rec/TIGER sequence format ({@code Beauty.txt}): one user per line, {@code uid item item ...}, items
 * already in time order. Item ids are mapped to dense indices in ascending numeric order, so the usual ids
 * {@code 1..N} become {@code 0..N-1}.
 */
public final class AmazonSequenceReader {
    private static final Logger LOG = LoggerFactory.getLogger(AmazonSequenceReader.class);

    private AmazonSequenceReader() {
    }

    public static InteractionSequences read(Path file) {
        List<String> users = new ArrayList<>();
        List<String[]> rows = new ArrayList<>();
        Set<String> seenUsers = new HashSet<>();
        Set<String> items = new LinkedHashSet<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            DataLines lines = new DataLines(file, in, 0);
            for (String line = lines.next(); line != null; line = lines.next()) {
                long lineNo = lines.lineNo();
                String[] tok = line.trim().split("\\s+");
                if (tok.length < 2) {
                    throw DataFileException.at(file, lineNo, "user '" + InteractionSequences.abbreviate(tok[0]) + "' has no items");
                }
                for (String t : tok) {
                    if (!InteractionSequences.isLong(t)) {
                        throw DataFileException.at(file, lineNo, "'" + InteractionSequences.abbreviate(t)
                                + "' is not a non-negative integer id (at most " + Long.MAX_VALUE + ")");
                    }
                }
                if (!seenUsers.add(tok[0])) {
                    throw DataFileException.at(file, lineNo, "user '" + InteractionSequences.abbreviate(tok[0]) + "' appears on more than one line");
                }
                users.add(tok[0]);
                String[] seq = new String[tok.length - 1];
                System.arraycopy(tok, 1, seq, 0, seq.length);
                rows.add(seq);
                for (String s : seq) items.add(s);
            }
        } catch (IOException e) {
            throw new DataFileException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (rows.isEmpty()) {
            throw new DataFileException(file + ": no users");
        }
        requireDistinctNumbers(file, seenUsers);
        String[] itemIds = InteractionSequences.denseOrder(items, file, "item");
        Map<String, Integer> dense = new HashMap<>(itemIds.length * 2);
        for (int i = 0; i < itemIds.length; i++) dense.put(itemIds[i], i);
        boolean contiguous = Long.parseLong(itemIds[0]) == 1 && Long.parseLong(itemIds[itemIds.length - 1]) == itemIds.length;
        if (!contiguous) {
            LOG.info("{}: item ids are not exactly 1..{}; using a dense mapping in ascending id order", file, itemIds.length);
        }
        int[][] seqs = new int[rows.size()][];
        for (int u = 0; u < seqs.length; u++) {
            String[] row = rows.get(u);
            seqs[u] = new int[row.length];
            for (int i = 0; i < row.length; i++) seqs[u][i] = dense.get(row[i]);
        }
        String name = file.getParent() != null && file.getParent().getFileName() != null
                ? file.getParent().getFileName().toString() : file.getFileName().toString();
        InteractionSequences result = new InteractionSequences(name, seqs, null, users.toArray(String[]::new), itemIds);
        LOG.info("read {} from {}", result, file);
        return result;
    }

    /** User ids are kept as written, so "007" and "7" must not both appear: they would be two users. */
    private static void requireDistinctNumbers(Path file, Set<String> userIds) {
        InteractionSequences.denseOrder(userIds, file, "user");
    }
}

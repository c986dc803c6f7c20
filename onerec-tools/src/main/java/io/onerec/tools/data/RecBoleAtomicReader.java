package io.onerec.tools.data;

import io.onerec.api.ItemMetadata;
import io.onerec.api.DataFileException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads RecBole atomic files (tab-separated, first line a header of {@code name:type} fields), e.g. MovieLens-100K's
 * {@code ml-100k.inter} ({@code user_id:token item_id:token rating:float timestamp:float}) and {@code ml-100k.item}
 * ({@code item_id:token movie_title:token_seq release_year:token class:token_seq}).
 *
 * <p>Interactions are grouped by user and ordered by timestamp, ties kept in file order. Users and items get dense
 * indices in ascending id order (numeric when all ids are integers), so MovieLens ids {@code 1..N} become
 * {@code 0..N-1}.
 */
public final class RecBoleAtomicReader {
    private static final Logger LOG = LoggerFactory.getLogger(RecBoleAtomicReader.class);

    private RecBoleAtomicReader() {
    }

    /**
     * Reads an interaction file.
     *
     * @param keepRatings keep the {@code rating} column aligned with the sequences (it must then exist)
     */
    public static InteractionSequences readInteractions(Path file, boolean keepRatings) {
        record Row(String user, String item, float rating, double time, long order) {
        }
        List<Row> rows = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String headerLine = in.readLine();
            if (headerLine == null) {
                throw DataFileException.at(file, 1, "empty file, expected a header");
            }
            Map<String, Integer> header = header(file, headerLine);
            int userCol = column(file, header, "user_id");
            int itemCol = column(file, header, "item_id");
            int timeCol = header.getOrDefault("timestamp", -1);
            int ratingCol = keepRatings ? column(file, header, "rating") : -1;
            if (timeCol < 0) {
                LOG.warn("{} has no timestamp column; keeping file order", file);
            }
            DataLines lines = new DataLines(file, in, 1);
            for (String line = lines.next(); line != null; line = lines.next()) {
                long lineNo = lines.lineNo();
                String[] f = lines.tabFields(line, header.size());
                String user = f[userCol].trim(), item = f[itemCol].trim();
                if (user.isEmpty() || item.isEmpty()) {
                    throw DataFileException.at(file, lineNo, "empty user or item id");
                }
                float rating = ratingCol >= 0 ? (float) parseDouble(file, lineNo, "rating", f[ratingCol]) : Float.NaN;
                // Parsed as double: a float would round Unix seconds to multiples of 64 and reorder close events.
                double time = timeCol >= 0 ? parseDouble(file, lineNo, "timestamp", f[timeCol]) : 0;
                rows.add(new Row(user, item, rating, time, rows.size()));
            }
        } catch (IOException e) {
            throw new DataFileException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (rows.isEmpty()) {
            throw new DataFileException(file + ": no interactions");
        }
        Map<String, List<Row>> byUser = new HashMap<>();
        Set<String> items = new LinkedHashSet<>();
        for (Row r : rows) {
            byUser.computeIfAbsent(r.user, k -> new ArrayList<>()).add(r);
            items.add(r.item);
        }
        String[] userIds = InteractionSequences.denseOrder(byUser.keySet(), file, "user");
        String[] itemIds = InteractionSequences.denseOrder(items, file, "item");
        Map<String, Integer> dense = new HashMap<>(itemIds.length * 2);
        for (int i = 0; i < itemIds.length; i++) dense.put(itemIds[i], i);
        int[][] seqs = new int[userIds.length][];
        float[][] ratings = keepRatings ? new float[userIds.length][] : null;
        for (int u = 0; u < userIds.length; u++) {
            List<Row> list = byUser.get(userIds[u]);
            // List.sort is stable: equal timestamps stay in file order.
            list.sort((a, b) -> Double.compare(a.time, b.time));
            seqs[u] = new int[list.size()];
            if (ratings != null) ratings[u] = new float[list.size()];
            for (int i = 0; i < list.size(); i++) {
                seqs[u][i] = dense.get(list.get(i).item);
                if (ratings != null) ratings[u][i] = list.get(i).rating;
            }
        }
        String name = file.getFileName().toString().replaceFirst("\\.inter$", "");
        InteractionSequences result = new InteractionSequences(name, seqs, ratings, userIds, itemIds);
        LOG.info("read {} from {}", result, file);
        return result;
    }

    /**
     * Reads an item file into metadata over the items of {@code sequences}: the first {@code *title*} field is the
     * title; {@code token_seq} fields named {@code class}/{@code genre*}/{@code categor*} give attributes (one id
     * per distinct value, in order of first appearance, names kept). Items of the file that the interactions never
     * mention are counted and logged; items without a row get an empty title and no attributes.
     */
    public static ItemMetadata readItems(Path file, InteractionSequences sequences) {
        int n = sequences.itemCount();
        String[] titles = new String[n];
        Arrays.fill(titles, "");
        int[][] attributes = new int[n][];
        Map<String, Integer> attributeIds = new LinkedHashMap<>();
        boolean[] seen = new boolean[n];
        int unknown = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String headerLine = in.readLine();
            if (headerLine == null) {
                throw DataFileException.at(file, 1, "empty file, expected a header");
            }
            Map<String, Integer> header = header(file, headerLine);
            int itemCol = column(file, header, "item_id");
            int titleCol = -1;
            List<Integer> attrCols = new ArrayList<>();
            for (Map.Entry<String, Integer> e : header.entrySet()) {
                String f = e.getKey();
                if (titleCol < 0 && f.contains("title")) titleCol = e.getValue();
                if (f.equals("class") || f.startsWith("genre") || f.startsWith("categor")) attrCols.add(e.getValue());
            }
            DataLines lines = new DataLines(file, in, 1);
            for (String line = lines.next(); line != null; line = lines.next()) {
                long lineNo = lines.lineNo();
                String[] f = lines.tabFields(line, header.size());
                var idx = sequences.itemIndex(f[itemCol].trim());
                if (idx.isEmpty()) {
                    unknown++;
                    continue;
                }
                int item = idx.getAsInt();
                if (seen[item]) {
                    throw DataFileException.at(file, lineNo, "item '" + InteractionSequences.abbreviate(f[itemCol]) + "' has a second row");
                }
                seen[item] = true;
                titles[item] = titleCol >= 0 ? f[titleCol].trim() : "";
                List<Integer> attrs = new ArrayList<>();
                for (int c : attrCols) {
                    for (String v : f[c].trim().split("\\s+")) {
                        if (v.isEmpty()) continue;
                        int id = attributeIds.computeIfAbsent(v, k -> attributeIds.size());
                        if (!attrs.contains(id)) attrs.add(id);
                    }
                }
                attributes[item] = attrs.stream().mapToInt(Integer::intValue).toArray();
            }
        } catch (IOException e) {
            throw new DataFileException("cannot read " + file + ": " + e.getMessage(), e);
        }
        int missing = 0;
        for (int i = 0; i < n; i++) {
            if (!seen[i]) {
                missing++;
                attributes[i] = new int[0];
            }
        }
        if (unknown > 0) {
            LOG.warn("{}: {} item rows name items without interactions; they are not part of the catalog", file, unknown);
        }
        if (missing > 0) {
            LOG.warn("{}: {} of {} items have no row (empty title, no attributes)", file, missing, n);
        }
        String[] names = attributeIds.keySet().toArray(String[]::new);
        return new ItemMetadata(titles, attributes, names);
    }

    /** Field name (without the {@code :type}) -> column. */
    private static Map<String, Integer> header(Path file, String line) {
        Map<String, Integer> cols = new LinkedHashMap<>();
        String[] f = line.split("\t", -1);
        for (int i = 0; i < f.length; i++) {
            String field = f[i].trim();
            int colon = field.indexOf(':');
            if (colon <= 0) {
                throw DataFileException.at(file, 1, "header field '" + InteractionSequences.abbreviate(field) + "' is not of the form name:type");
            }
            if (cols.put(field.substring(0, colon), i) != null) {
                throw DataFileException.at(file, 1, "header names field '" + InteractionSequences.abbreviate(field.substring(0, colon)) + "' twice");
            }
        }
        return cols;
    }

    private static int column(Path file, Map<String, Integer> header, String name) {
        Integer c = header.get(name);
        if (c == null) {
            throw DataFileException.at(file, 1, "header has no '" + name + "' field; fields: "
                    + InteractionSequences.abbreviate(header.keySet().toString()));
        }
        return c;
    }

    private static double parseDouble(Path file, long lineNo, String what, String s) {
        try {
            double v = Double.parseDouble(s.trim());
            if (!Double.isFinite(v)) throw new NumberFormatException();
            return v;
        } catch (NumberFormatException e) {
            throw DataFileException.at(file, lineNo, "bad " + what + " '" + InteractionSequences.abbreviate(s) + "'");
        }
    }
}

package io.onerec.tools.data;

import io.onerec.api.DataFileException;
import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.longs.LongOpenHashSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * The dense item index of a sequence file with numeric item ids, without its sequences: raw id (a number) to
 * {@code 0..size-1} in ascending numeric order, the order {@link AmazonSequenceReader} gives. Its memory grows with
 * the catalog (a {@code long} per item, none at all when the ids are exactly {@code 1..N}), not with the interactions,
 * so that a file of any size can be streamed through it (see {@link AmazonSequenceStream#denseItems}).
 */
public final class ItemIndex {
    private static final Logger LOG = LoggerFactory.getLogger(ItemIndex.class);

    /** Raw ids in dense order (ascending). */
    private final long[] rawIds;
    /** Dense index per raw id; null when the ids are exactly 1..N and the index is id - 1. */
    private final Long2IntOpenHashMap dense;
    /** Spellings of ids that the file writes with leading zeros, to give the raw id back as written. */
    private final Long2ObjectOpenHashMap<String> spelled;

    private ItemIndex(long[] sortedIds, Long2ObjectOpenHashMap<String> spelled) {
        this.rawIds = sortedIds;
        this.spelled = spelled;
        boolean contiguous = sortedIds.length > 0 && sortedIds[0] == 1 && sortedIds[sortedIds.length - 1] == sortedIds.length;
        if (contiguous) {
            this.dense = null;
        } else {
            this.dense = new Long2IntOpenHashMap(sortedIds.length);
            dense.defaultReturnValue(-1);
            for (int i = 0; i < sortedIds.length; i++) dense.put(sortedIds[i], i);
        }
    }

    /**
     * The index of an in-memory data set, so that a file streamed through it maps ids exactly as that data set does
     * (e.g. the one the codec was fitted on). Its raw item ids must be numbers, as in the Amazon sequence format.
     */
    public static ItemIndex of(InteractionSequences data) {
        long[] ids = new long[data.itemCount()];
        Long2ObjectOpenHashMap<String> spelled = new Long2ObjectOpenHashMap<>();
        for (int i = 0; i < ids.length; i++) {
            String raw = data.rawItemId(i);
            if (!InteractionSequences.isLong(raw)) {
                throw new IllegalArgumentException(data.name() + ": item id '" + InteractionSequences.abbreviate(raw)
                        + "' is not a number; a streamed sequence file has numeric item ids only");
            }
            ids[i] = Long.parseLong(raw);
            if (!raw.equals(Long.toString(ids[i]))) spelled.put(ids[i], raw);
            if (i > 0 && ids[i] <= ids[i - 1]) {
                throw new IllegalArgumentException(data.name() + ": item ids are not in ascending numeric order at dense index "
                        + i + " ('" + data.rawItemId(i - 1) + "', '" + raw + "'), the order a sequence file's index has");
            }
        }
        return new ItemIndex(ids, spelled);
    }

    /**
     * Reads {@code file} once, keeping only its distinct item ids: the same index as
     * {@code AmazonSequenceReader.read(file)} builds, in memory that grows with the catalog only.
     */
    public static ItemIndex scan(Path file) {
        LongOpenHashSet ids = new LongOpenHashSet();
        Long2ObjectOpenHashMap<String> spelled = new Long2ObjectOpenHashMap<>();
        long users = 0, interactions = 0;
        try (AmazonSequenceStream in = AmazonSequenceStream.open(file)) {
            while (in.next()) {
                users++;
                for (int i = 0; i < in.length(); i++) {
                    long id = in.rawItem(i);
                    boolean isNew = ids.add(id);
                    // "007" and "7" would be two items to AmazonSequenceReader.read, which refuses them; so does this.
                    String padding = in.padded(i) ? in.itemToken(i) : null;
                    if (isNew) {
                        if (padding != null) spelled.put(id, padding);
                    } else {
                        String before = spelled.get(id);
                        if (padding == null ? before != null : !padding.equals(before)) {
                            String a = before == null ? Long.toString(id) : before, b = padding == null ? Long.toString(id) : padding;
                            throw new DataFileException(file + ": item ids '" + a + "' and '" + b
                                    + "' are the same number written differently (leading zeros?)");
                        }
                    }
                }
                interactions += in.length();
            }
        }
        if (users == 0) throw new DataFileException(file + ": no users");
        long[] sorted = ids.toLongArray();
        Arrays.sort(sorted);
        ItemIndex index = new ItemIndex(sorted, spelled);
        LOG.info("{}: {} items over {} users and {} interactions", file, sorted.length, users, interactions);
        return index;
    }

    public int size() {
        return rawIds.length;
    }

    /** Dense index of the raw id, or -1 when the id is not in the index. */
    public int indexOf(long rawId) {
        if (dense == null) return rawId >= 1 && rawId <= rawIds.length ? (int) (rawId - 1) : -1;
        return dense.get(rawId);
    }

    /** The raw id of a dense index, as the file writes it. */
    public String rawId(int index) {
        long id = rawIds[index];
        String s = spelled.get(id);
        return s != null ? s : Long.toString(id);
    }

    @Override
    public String toString() {
        return "ItemIndex[" + rawIds.length + " items" + (dense == null ? ", ids 1.." + rawIds.length : "") + "]";
    }
}

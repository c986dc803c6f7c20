package io.onerec.tools.data;

import io.onerec.api.DataFileException;

import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Reads a sequence file in the format of {@link AmazonSequenceReader} ({@code uid item item ...}, one user per line)
 * one user at a time, in memory bounded by the longest line rather than by the file: nothing of a user is kept once
 * {@link #next} moves on. Ids are parsed as numbers without a String per token, so a pass over a file of 100M
 * interactions costs little more than reading its bytes.
 *
 * <p>The checks of {@link AmazonSequenceReader} that need one line (ids that are non-negative integers, at least one
 * item, no blank line inside the file) apply here too and fail with the file and line. The one check that needs the
 * whole file, a user id on more than one line, does not: its memory grows with the users. A streamed file with such a
 * line gives that user twice (as two users), where {@code AmazonSequenceReader.read} refuses the file.
 *
 * <p>User {@code u} is the u-th user line of the file (from 0), the dense user index that
 * {@code AmazonSequenceReader.read} gives the same line.
 */
public final class AmazonSequenceStream implements Closeable {
    private static final int MAX_ID_CHARS = 19;

    private final Path file;
    private final BufferedReader in;
    private final DataLines lines;
    private String line;
    private long user = -1;
    private long[] items = new long[64];
    /** Per item of the current line: written with leading zeros ("007"), so not as {@code Long.toString} writes it. */
    private boolean[] padded = new boolean[64];
    private int[] tokenStart = new int[64];
    private int length;

    private AmazonSequenceStream(Path file, BufferedReader in) {
        this.file = file;
        this.in = in;
        this.lines = new DataLines(file, in, 0);
    }

    /** Opens {@code file}; fails with a {@link DataFileException} naming it when it cannot be read. */
    public static AmazonSequenceStream open(Path file) {
        try {
            return new AmazonSequenceStream(file, Files.newBufferedReader(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new DataFileException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /** Moves to the next user; false at the end of the file. */
    public boolean next() {
        try {
            line = lines.next();
        } catch (IOException e) {
            throw new DataFileException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (line == null) {
            length = 0;
            return false;
        }
        user++;
        parse(line);
        return true;
    }

    /** Splits the line at whitespace (as {@code trim().split("\\s+")}) and parses every token as an id. */
    private void parse(String s) {
        int n = s.length(), i = 0, tokens = 0;
        while (true) {
            while (i < n && isSpace(s.charAt(i))) i++;
            if (i == n) break;
            int start = i;
            long v = 0;
            boolean ok = true;
            while (i < n && !isSpace(s.charAt(i))) {
                char c = s.charAt(i);
                int d = c - '0';
                if (d < 0 || d > 9 || i - start >= MAX_ID_CHARS || v > (Long.MAX_VALUE - d) / 10) ok = false;
                else v = v * 10 + d;
                i++;
            }
            if (!ok) {
                throw DataFileException.at(file, lines.lineNo(), "'" + InteractionSequences.abbreviate(s.substring(start, i))
                        + "' is not a non-negative integer id (at most " + Long.MAX_VALUE + ")");
            }
            if (tokens == 0) {
                tokens++;
                continue; // the user id: checked, not kept
            }
            int k = tokens - 1;
            if (k == items.length) {
                items = Arrays.copyOf(items, 2 * k);
                padded = Arrays.copyOf(padded, 2 * k);
                tokenStart = Arrays.copyOf(tokenStart, 2 * k);
            }
            items[k] = v;
            padded[k] = s.charAt(start) == '0' && i - start > 1;
            tokenStart[k] = start;
            tokens++;
        }
        if (tokens < 2) {
            throw DataFileException.at(file, lines.lineNo(), "user '" + InteractionSequences.abbreviate(s.trim()) + "' has no items");
        }
        length = tokens - 1;
    }

    /** The whitespace of the regex {@code \s}: space, tab, line feed, vertical tab, form feed, carriage return. */
    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0B || c == '\f' || c == '\r';
    }

    /** The current user's index: the number of user lines before this one. */
    public long user() {
        requireCurrent();
        return user;
    }

    /** Number of items of the current user. */
    public int length() {
        requireCurrent();
        return length;
    }

    /** The i-th item of the current user as the number written in the file. */
    public long rawItem(int i) {
        requireCurrent();
        if (i < 0 || i >= length) throw new IndexOutOfBoundsException("item " + i + " of " + length);
        return items[i];
    }

    /** Whether the i-th item is written with leading zeros ("007"), i.e. not as {@link Long#toString} writes it. */
    boolean padded(int i) {
        return padded[i];
    }

    /** The i-th item as written in the file. */
    String itemToken(int i) {
        int start = tokenStart[i], end = start;
        while (end < line.length() && !isSpace(line.charAt(end))) end++;
        return line.substring(start, end);
    }

    /**
     * The current user's items as dense indices of {@code index}; an id that the index does not know fails with the
     * file and line (a streamed file must not hold items outside the catalog the model was built for).
     */
    public int[] denseItems(ItemIndex index) {
        requireCurrent();
        int[] out = new int[length];
        for (int i = 0; i < length; i++) {
            int d = index.indexOf(items[i]);
            if (d < 0) {
                throw DataFileException.at(file, lines.lineNo(), "item '" + InteractionSequences.abbreviate(itemToken(i))
                        + "' is not in the item index (" + index.size() + " items)");
            }
            out[i] = d;
        }
        return out;
    }

    /** Number (1-based) of the current user's line in the file. */
    public long lineNo() {
        return lines.lineNo();
    }

    public Path file() {
        return file;
    }

    private void requireCurrent() {
        if (line == null) throw new IllegalStateException(user < 0 ? "next() has not been called" : "past the end of " + file);
    }

    @Override
    public void close() {
        try {
            in.close();
        } catch (IOException e) {
            throw new DataFileException("cannot close " + file + ": " + e.getMessage(), e);
        }
    }
}

package io.onerec.tools.data;

import io.onerec.api.DataFileException;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The lines of a data file with their numbers, for the readers of this package. Blank lines are allowed at the end of
 * a file (an editor's trailing newline) and nowhere else, so a file cut in two by a stray blank line is an error rather
 * than silently shorter.
 */
final class DataLines {
    private final Path file;
    private final BufferedReader in;
    private long lineNo;

    /** @param linesRead lines of {@code in} already consumed (e.g. 1 after a header), so that numbers stay right */
    DataLines(Path file, BufferedReader in, long linesRead) {
        this.file = file;
        this.in = in;
        this.lineNo = linesRead;
    }

    /** The next non-blank line, or null at the end of the file; a blank line with data after it is an error. */
    String next() throws IOException {
        long firstBlank = 0;
        String line;
        while ((line = in.readLine()) != null) {
            lineNo++;
            if (line.isBlank()) {
                if (firstBlank == 0) firstBlank = lineNo;
                continue;
            }
            if (firstBlank > 0) throw DataFileException.at(file, firstBlank, "blank line");
            return line;
        }
        return null;
    }

    /** Number (1-based) of the line {@link #next} returned last. */
    long lineNo() {
        return lineNo;
    }

    /** The tab-separated fields of the current line, which must number exactly as many as the header's. */
    String[] tabFields(String line, int headerFields) {
        String[] f = line.split("\t", -1);
        if (f.length != headerFields) {
            throw DataFileException.at(file, lineNo, f.length + " fields, header has " + headerFields);
        }
        return f;
    }
}

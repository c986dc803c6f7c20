package io.onerec.api;

import java.nio.file.Path;

/** A data file is missing, malformed, or inconsistent with the files it goes with. */
public class DataFileException extends RuntimeException {
    public DataFileException(String message) {
        super(message);
    }

    public DataFileException(String message, Throwable cause) {
        super(message, cause);
    }

    /** An error at one line of a file; the message reads {@code file:line: what}. */
    public static DataFileException at(Path file, long line, String what) {
        return new DataFileException(file + ":" + line + ": " + what);
    }
}

package io.onerec.api.thinkahead;

import io.onerec.api.SemanticId;
import io.onerec.api.DataFileException;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The default {@link PrefixStore}: an in-memory map persisted as a text file, one user per line,
 * {@code userId<TAB>12-3 12-7 40-1} (prefixes as dash-joined codes, space separated, in the order they were put),
 * after a first line {@code #codec<TAB>fingerprint} naming the codec the prefixes were computed for (absent in
 * stores written before codecs were recorded, or never bound).
 * Text because the file is small (a few prefixes per user) and worth being able to inspect with grep.
 * {@link #flush()} writes to a temporary file and renames it, so readers never see a half-written store.
 */
public final class FilePrefixStore implements PrefixStore {
    private final Path file;
    private static final String CODEC_HEADER = "#codec\t";
    private final Map<Long, Set<SemanticId>> prefixes = new ConcurrentHashMap<>();
    private volatile String codec;

    private FilePrefixStore(Path file) {
        this.file = file;
    }

    /** Opens the store at {@code file}, reading it when it exists. */
    public static FilePrefixStore open(Path file) {
        FilePrefixStore store = new FilePrefixStore(file);
        if (Files.exists(file)) store.read();
        return store;
    }

    private void read() {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int n = 0;
            while ((line = r.readLine()) != null) {
                n++;
                if (line.isBlank()) continue;
                if (line.startsWith(CODEC_HEADER)) {
                    if (n != 1) throw new DataFileException(file + ":" + n + ": the codec line must be the first line");
                    codec = line.substring(CODEC_HEADER.length()).trim();
                    if (codec.isEmpty()) throw new DataFileException(file + ":1: empty codec fingerprint");
                    continue;
                }
                int tab = line.indexOf('\t');
                if (tab < 0) throw new DataFileException(file + ":" + n + ": expected 'userId<TAB>prefixes', got '" + line + "'");
                long user;
                try {
                    user = Long.parseLong(line.substring(0, tab));
                } catch (NumberFormatException e) {
                    throw new DataFileException(file + ":" + n + ": bad user id '" + line.substring(0, tab) + "'");
                }
                Set<SemanticId> set = new LinkedHashSet<>();
                for (String p : line.substring(tab + 1).trim().split(" ")) {
                    if (p.isEmpty()) continue;
                    String[] parts = p.split("-");
                    int[] codes = new int[parts.length];
                    try {
                        for (int i = 0; i < parts.length; i++) codes[i] = Integer.parseInt(parts[i]);
                        set.add(SemanticId.of(codes));
                    } catch (IllegalArgumentException e) {
                        throw new DataFileException(file + ":" + n + ": bad prefix '" + p + "': " + e.getMessage());
                    }
                }
                try {
                    put(user, set);
                } catch (IllegalArgumentException e) {
                    throw new DataFileException(file + ":" + n + ": " + e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read prefix store " + file, e);
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public void put(long userId, Set<SemanticId> set) {
        int len = -1;
        for (SemanticId p : set) {
            if (len >= 0 && p.length() != len) throw new IllegalArgumentException("user " + userId + ": prefixes of mixed lengths " + len + " and " + p.length());
            len = p.length();
        }
        prefixes.put(userId, java.util.Collections.unmodifiableSet(new LinkedHashSet<>(set)));
    }

    @Override
    public Optional<String> codecFingerprint() {
        return Optional.ofNullable(codec);
    }

    @Override
    public synchronized void bindCodec(String fingerprint) {
        if (fingerprint == null || fingerprint.isBlank() || fingerprint.contains("\n")) {
            throw new IllegalArgumentException("bad codec fingerprint '" + fingerprint + "'");
        }
        if (fingerprint.equals(codec)) return;
        if (codec != null) {
            throw new StalePrefixesException(file + " holds Think-Ahead prefixes computed for codec " + codec + ", not for codec " + fingerprint
                    + "; write the prefixes of the new codec to a new store");
        }
        if (!prefixes.isEmpty()) {
            throw new StalePrefixesException(file + " holds Think-Ahead prefixes of " + prefixes.size()
                    + " users computed for an unrecorded codec; write the prefixes of codec " + fingerprint + " to a new store");
        }
        codec = fingerprint;
    }

    @Override
    public Optional<Set<SemanticId>> get(long userId) {
        return Optional.ofNullable(prefixes.get(userId));
    }

    @Override
    public int size() {
        return prefixes.size();
    }

    @Override
    public synchronized void flush() {
        List<Long> users = new ArrayList<>(prefixes.keySet());
        users.sort(null);
        try {
            Path parent = file.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
            try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                StringBuilder sb = new StringBuilder();
                if (codec != null) w.write(CODEC_HEADER + codec + "\n");
                for (long u : users) {
                    sb.setLength(0);
                    sb.append(u).append('\t');
                    boolean first = true;
                    for (SemanticId p : prefixes.get(u)) {
                        if (!first) sb.append(' ');
                        first = false;
                        int[] c = p.codes();
                        for (int i = 0; i < c.length; i++) {
                            if (i > 0) sb.append('-');
                            sb.append(c[i]);
                        }
                    }
                    w.write(sb.append('\n').toString());
                }
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write prefix store " + file, e);
        }
    }
}

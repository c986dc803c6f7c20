package io.onerec.api.thinkahead;

import io.onerec.api.SemanticId;
import io.onerec.api.DataFileException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

class FilePrefixStoreTest {
    @TempDir
    Path dir;

    @Test
    void roundTripKeepsOrderAndUsers() throws Exception {
        Path file = dir.resolve("sub/prefixes.tsv");
        try (FilePrefixStore s = FilePrefixStore.open(file)) {
            s.put(7, new java.util.LinkedHashSet<>(List.of(SemanticId.of(3, 1), SemanticId.of(0, 2))));
            s.put(-2, Set.of(SemanticId.of(5, 5)));
            s.put(9, Set.of());
        }
        assertEquals(List.of("-2\t5-5", "7\t3-1 0-2", "9\t"), Files.readAllLines(file));
        FilePrefixStore back = FilePrefixStore.open(file);
        assertEquals(3, back.size());
        assertEquals(List.of(SemanticId.of(3, 1), SemanticId.of(0, 2)), List.copyOf(back.get(7).orElseThrow()));
        assertEquals(Set.of(), back.get(9).orElseThrow());
        assertEquals(Optional.empty(), back.get(8));
    }

    @Test
    void badInputIsNamed() throws Exception {
        FilePrefixStore s = FilePrefixStore.open(dir.resolve("x.tsv"));
        assertThrows(IllegalArgumentException.class, () -> s.put(1, Set.of(SemanticId.of(1), SemanticId.of(1, 2))));
        Path bad = dir.resolve("bad.tsv");
        Files.writeString(bad, "1\t2-3\n2\t4-x\n");
        var e = assertThrows(DataFileException.class, () -> FilePrefixStore.open(bad));
        assertTrue(e.getMessage().contains(":2:") && e.getMessage().contains("4-x"), e.getMessage());
        Files.writeString(bad, "12 3-4\n");
        assertThrows(DataFileException.class, () -> FilePrefixStore.open(bad));
    }

    @Test
    void codecFingerprintIsPersistedAsTheFirstLineAndGuardsTheStore() throws Exception {
        Path file = dir.resolve("bound.tsv");
        try (FilePrefixStore s = FilePrefixStore.open(file)) {
            assertEquals(Optional.empty(), s.codecFingerprint());
            s.bindCodec("residual-codebooks:aa11");
            s.bindCodec("residual-codebooks:aa11"); // the same codec again is fine
            s.put(4, Set.of(SemanticId.of(1, 2)));
        }
        assertEquals(List.of("#codec\tresidual-codebooks:aa11", "4\t1-2"), Files.readAllLines(file));
        FilePrefixStore back = FilePrefixStore.open(file);
        assertEquals(Optional.of("residual-codebooks:aa11"), back.codecFingerprint());
        var e = assertThrows(StalePrefixesException.class, () -> back.bindCodec("residual-codebooks:bb22"));
        assertTrue(e.getMessage().contains("aa11") && e.getMessage().contains("bb22") && e.getMessage().contains(file.toString()), e.getMessage());
        assertEquals(Optional.of("residual-codebooks:aa11"), back.codecFingerprint(), "a refused bind must not rebind");

        // Prefixes put before any codec was recorded belong to an unknown codec: binding them now would vouch for them.
        FilePrefixStore legacy = FilePrefixStore.open(dir.resolve("legacy.tsv"));
        legacy.put(1, Set.of(SemanticId.of(0, 0)));
        assertThrows(StalePrefixesException.class, () -> legacy.bindCodec("residual-codebooks:aa11"));

        Path late = dir.resolve("late.tsv");
        Files.writeString(late, "4\t1-2\n#codec\tx:1\n");
        var bad = assertThrows(DataFileException.class, () -> FilePrefixStore.open(late));
        assertTrue(bad.getMessage().contains(late + ":2"), bad.getMessage());
    }
}

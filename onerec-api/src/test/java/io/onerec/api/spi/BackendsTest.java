package io.onerec.api.spi;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BackendsTest {
    private String saved;

    @BeforeEach
    void clearProperty() {
        saved = System.clearProperty(Backends.PROPERTY);
    }

    @AfterEach
    void restoreProperty() {
        if (saved == null) System.clearProperty(Backends.PROPERTY);
        else System.setProperty(Backends.PROPERTY, saved);
    }

    @Test
    void installedIsSortedByPriority() {
        List<String> names = Backends.installed().stream().map(Backend::name).toList();
        assertEquals(List.of("broken", "fast", "slow"), names);
    }

    @Test
    void automaticChoiceSkipsUnavailable() {
        assertEquals("fast", Backends.get().name());
        assertEquals("fast", Backends.choose(Backends.installed(), null).name());
        assertEquals("fast", Backends.choose(Backends.installed(), "  ").name());
        assertEquals("slow", Backends.choose(List.of(new FakeBackends.Broken(), new FakeBackends.Slow()), null).name());
    }

    @Test
    void forcedChoice() {
        assertEquals("slow", Backends.get("slow").name());
        assertEquals("slow", Backends.get(" SLOW ").name());
        System.setProperty(Backends.PROPERTY, "slow");
        assertEquals("slow", Backends.get().name());
    }

    @Test
    void forcedUnavailableNamesTheReason() {
        var e = assertThrows(IllegalStateException.class, () -> Backends.get("broken"));
        assertTrue(e.getMessage().contains("'broken'") && e.getMessage().contains("cannot run here: no natives for this platform"),
                e.getMessage());
    }

    @Test
    void forcedUnknownListsInstalled() {
        System.setProperty(Backends.PROPERTY, "gpu");
        var e = assertThrows(IllegalStateException.class, Backends::get);
        assertTrue(e.getMessage().contains("'gpu'") && e.getMessage().contains("not installed; installed: [broken, fast, slow]"),
                e.getMessage());
    }

    @Test
    void nothingUsable() {
        var none = assertThrows(IllegalStateException.class, () -> Backends.choose(List.of(), null));
        assertTrue(none.getMessage().contains("no onerec backend on the class path"), none.getMessage());
        var broken = assertThrows(IllegalStateException.class, () -> Backends.choose(List.of(new FakeBackends.Broken()), null));
        assertTrue(broken.getMessage().contains("no onerec backend can run here: [broken: no natives for this platform]"),
                broken.getMessage());
    }
}

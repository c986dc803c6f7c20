package io.onerec.examples;

import org.junit.jupiter.api.Test;

import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every example reads its flags through FlagReader: bad values are refused with the flag's name in the message. */
class FlagReaderTest {

    @Test
    void readsFlagsAndTheirValuesInOrder() {
        FlagReader f = new FlagReader(new String[]{"--epochs", "3", "--quick", "--dropout", "0.25", "--out", "runs/x", "--seed", "-7"});
        assertTrue(f.next());
        assertEquals("--epochs", f.flag());
        assertEquals(3, f.count(1));
        assertTrue(f.next());
        assertEquals("--quick", f.flag());
        assertTrue(f.next());
        assertEquals(0.25, f.fraction());
        assertTrue(f.next());
        assertEquals("runs/x", f.path().toString());
        assertTrue(f.next());
        assertEquals(-7L, f.longValue());
        assertFalse(f.next());
    }

    @Test
    void badValuesAreRefusedNamingTheFlag() {
        assertRefused("--epochs", "0", f -> f.count(1), ">= 1");
        assertRefused("--epochs", "abc", f -> f.count(1), "needs an integer");
        assertRefused("--lr", "0", FlagReader::positive, "> 0");
        assertRefused("--lr", "NaN", FlagReader::positive, "finite");
        assertRefused("--weight-decay", "-0.1", FlagReader::nonNegative, ">= 0");
        assertRefused("--dropout", "1", FlagReader::fraction, "[0, 1)");
        assertRefused("--mix", "1.01", FlagReader::share, "[0, 1]");
        assertRefused("--causal", "yes", FlagReader::bool, "true or false");
        assertRefused("--seed", "1.5", FlagReader::longValue, "needs an integer");
        // A flag at the end with its value missing.
        FlagReader f = new FlagReader(new String[]{"--epochs"});
        f.next();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> f.count(1));
        assertEquals("--epochs needs a value", e.getMessage());
    }

    @Test
    void theExamplesRefuseCountsOutOfRange() {
        String[][] baselines = {{"--epochs", "0"}, {"--history", "0"}, {"--dropout", "1"}, {"--lr", "-1"}, {"--val-users", "-1"},
                {"--sasrec-minutes", "0"}, {"--dim", "0"}, {"--ffn", "0"}, {"--patience", "0"}, {"--epochs"}};
        for (String[] args : baselines) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BaselinesExample.Options.parse(args));
            assertTrue(e.getMessage().contains(args[0]), e.getMessage());
        }
        String[][] thinkAhead = {{"--paths", "0"}, {"--prefixes", "-1"}, {"--generator-minutes", "0"}, {"--eval-users", "x"}};
        for (String[] args : thinkAhead) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ThinkAheadExample.Options.parse(args));
            assertTrue(e.getMessage().contains(args[0]), e.getMessage());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BaselinesExample.Options.parse(new String[]{"--bogus"}));
        assertTrue(e.getMessage().startsWith("unknown flag --bogus (flags: --out DIR"), e.getMessage());
        assertEquals(0, BaselinesExample.Options.parse(new String[]{"--val-users", "0"}).valUsers());
        // The feed-forward size follows the width unless given.
        assertEquals(4 * 96, BaselinesExample.Options.parse(new String[]{"--dim", "96"}).ffn());
        assertEquals(96, BaselinesExample.Options.parse(new String[]{"--dim", "256", "--ffn", "96"}).ffn());
    }

    private static void assertRefused(String flag, String value, Function<FlagReader, Object> read, String expected) {
        FlagReader f = new FlagReader(new String[]{flag, value});
        f.next();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read.apply(f));
        assertTrue(e.getMessage().startsWith(flag + " ") && e.getMessage().contains(expected) && e.getMessage().contains(value),
                e.getMessage());
    }
}

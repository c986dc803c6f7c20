package io.onerec.examples;

import io.onerec.api.TrainingProgress;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.*;

class ProgressBarTest {
    private static final long SECOND = 1_000_000_000L;

    /** A bar printing into a buffer, on a clock the test moves. */
    private static final class Fixture {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final AtomicLong clock = new AtomicLong(1_000 * SECOND);
        final ProgressBar bar;

        Fixture(ProgressBar.Mode mode, Duration interval) {
            bar = new ProgressBar(new PrintStream(bytes, true, StandardCharsets.UTF_8), mode, clock::get, interval, 200);
        }

        void report(String phase, long step, long total, double loss) {
            bar.onProgress(new TrainingProgress(phase, step, total, loss, Map.of()));
        }

        void advance(double seconds) {
            clock.addAndGet((long) (seconds * SECOND));
        }

        String text() {
            return bytes.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void formatsBarCountRateEtaLossAndMetrics() {
        String line = ProgressBar.format(new TrainingProgress("generator/epoch-3", 1234, 2740, 3.21,
                Map.of("lr", 0.003, "ndcg@10", 0.0512)), 12.3);
        // 1234/2740 = 45.04%: 9 of 20 cells; (2740 - 1234) / 12.3 = 122.4 s.
        assertEquals("generator/epoch-3 [#########...........] 45% 1,234/2,740 steps  12.3 steps/s  ETA 2m02s"
                + "  loss 3.2100  lr 3.00e-03  ndcg@10 0.0512", line);
    }

    @Test
    void unknownTotalHasNoBarAndNoEta() {
        String line = ProgressBar.format(new TrainingProgress("reasoner/grpo", 17, -1, Double.NaN, Map.of()), 2.5);
        assertEquals("reasoner/grpo 17 steps  2.50 steps/s", line);
    }

    @Test
    void unknownRateGivesUnknownEtaAndAFinishedPhaseZero() {
        assertTrue(ProgressBar.format(new TrainingProgress("eval/test", 1, 12, Double.NaN, Map.of()), Double.NaN)
                .endsWith("1/12 batches  - batches/s  ETA ?"));
        assertTrue(ProgressBar.format(new TrainingProgress("eval/test", 12, 12, Double.NaN, Map.of()), Double.NaN)
                .contains("[####################] 100% 12/12 batches  - batches/s  ETA 0s"));
    }

    @Test
    void durationsAndRates() {
        assertEquals("0s", ProgressBar.duration(0.4));
        assertEquals("59s", ProgressBar.duration(59.4));
        assertEquals("1m00s", ProgressBar.duration(59.6));
        assertEquals("2m05s", ProgressBar.duration(125));
        assertEquals("1h02m", ProgressBar.duration(3720));
        assertEquals("26h40m", ProgressBar.duration(96_000));
        assertEquals("?", ProgressBar.duration(Double.POSITIVE_INFINITY));
        assertEquals("?", ProgressBar.duration(Double.NaN));
        assertEquals("1,500 steps/s", ProgressBar.rate(1500, "step"));
        assertEquals("4.0 s/epoch", ProgressBar.rate(0.25, "epoch"));
        assertEquals("- batches/s", ProgressBar.rate(0, "batch"));
        assertEquals("iteration", ProgressBar.unit("codec/level-2"));
        assertEquals("epoch", ProgressBar.unit("generator/validation"));
        assertEquals("step", ProgressBar.unit("generator/epoch-7"));
    }

    @Test
    void rateAndEtaAreMeasuredOnTheClockFromThePhasesFirstReport() {
        Fixture f = new Fixture(ProgressBar.Mode.LINES, Duration.ZERO);
        f.report("generator/epoch-1", 0, 1000, 5.0);
        f.advance(10);
        f.report("generator/epoch-1", 100, 1000, 4.0);
        // 100 steps in 10 s: 10 steps/s, 900 left: 1m30s.
        String last = f.text().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(last.contains("10.0 steps/s  ETA 1m30s  loss 4.0000"), last);

        // A recurring phase keeps its start: epochs 1 -> 3 in 120 s is 60 s per epoch, 7 of 10 left: 7 minutes.
        f.report("generator/validation", 1, 10, 4.0);
        f.advance(120);
        f.report("generator/epoch-3", 0, 1000, 3.5);
        f.report("generator/validation", 3, 10, 3.0);
        last = f.text().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(last.contains("3/10 epochs  60.0 s/epoch  ETA 7m00s"), last);

        // A phase starting again from a lower step (a second evaluation) does not inherit the first one's pace.
        f.report("eval/test", 1, 2, Double.NaN);
        f.advance(30);
        f.report("eval/test", 2, 2, Double.NaN);
        f.advance(600);
        f.report("eval/test", 1, 2, Double.NaN);
        f.advance(2);
        f.report("eval/test", 2, 2, Double.NaN);
        last = f.text().lines().reduce((a, b) -> b).orElseThrow();
        assertTrue(last.endsWith("2/2 batches  2.0 s/batch  ETA 0s"), last);
    }

    @Test
    void nonTerminalOutputIsOneLinePerIntervalWithoutCarriageReturns() {
        Fixture f = new Fixture(ProgressBar.Mode.LINES, Duration.ofSeconds(10));
        // 10,000 reports over 1,000 s of one phase (total never reached): at most one line per 10 s.
        for (int i = 0; i < 10_000; i++) {
            f.report("generator/epoch-1", i, 20_000, 3.0);
            f.advance(0.1);
        }
        String text = f.text();
        assertFalse(text.contains("\r"), "no carriage returns in a log");
        long lines = text.lines().count();
        assertTrue(lines >= 99 && lines <= 101, lines + " lines for 1,000 s at one per 10 s");
        // A phase reaching its total prints its last line even within the interval.
        f.report("eval/test", 12, 12, Double.NaN);
        assertTrue(f.text().lines().reduce((a, b) -> b).orElseThrow().startsWith("eval/test [####################] 100%"));
    }

    @Test
    void terminalBarRedrawsInPlaceAtMostTenTimesASecondAndKeepsEachPhasesLastLine() {
        Fixture f = new Fixture(ProgressBar.Mode.BAR, Duration.ofSeconds(10));
        for (int i = 0; i < 1_000; i++) {
            f.report("codec/level-1", i, 2_000, 1.0);
            f.advance(0.01);
        }
        f.report("codec/level-2", 1, 10, 0.5);
        f.bar.close();
        String text = f.text();
        // 10 s of reports every 10 ms: about 100 redraws, each starting with \r, none with a newline.
        long redraws = text.chars().filter(c -> c == '\r').count();
        assertTrue(redraws >= 95 && redraws <= 105, redraws + " redraws");
        assertEquals(2, text.chars().filter(c -> c == '\n').count(), "one newline at the phase change, one at close");
        List<String> screen = screen(text);
        assertEquals(3, screen.size(), screen.toString());
        assertTrue(screen.get(0).startsWith("codec/level-1 [#########...........] 49% 990/2,000 iterations"), screen.get(0));
        assertTrue(screen.get(1).startsWith("codec/level-2 [##.................."), screen.get(1));
        assertEquals("", screen.get(2), "close ends the bar's line");
    }

    @Test
    void logLinesThroughTheSharedStreamLiftTheBarAndPutItBackBelow() {
        Fixture f = new Fixture(ProgressBar.Mode.BAR, Duration.ofSeconds(10));
        PrintStream log = f.bar.sharing(new PrintStream(f.bytes, true, StandardCharsets.UTF_8));
        f.report("generator/epoch-1", 100, 300, 4.0);
        log.println("INFO short");
        f.advance(1);
        f.report("generator/epoch-1", 200, 300, 3.5);
        // A line written in pieces (as slf4j-simple may): the bar comes back only when the line ends, updated.
        log.print("INFO a line ");
        f.advance(1);
        f.report("generator/epoch-1", 250, 300, 3.2);
        log.print("in two pieces\n");
        List<String> screen = screen(f.text());
        assertEquals(List.of("INFO short", "INFO a line in two pieces"), screen.subList(0, 2));
        assertEquals(3, screen.size(), screen.toString());
        assertTrue(screen.get(2).startsWith("generator/epoch-1 [################....] 83% 250/300 steps"), screen.get(2));
    }

    /** The lines a terminal shows for {@code text}: \r returns to the line's start, later text overwrites; trailing blanks cut. */
    private static List<String> screen(String text) {
        List<StringBuilder> lines = new ArrayList<>(List.of(new StringBuilder()));
        int col = 0;
        for (char c : text.toCharArray()) {
            StringBuilder line = lines.getLast();
            if (c == '\r') {
                col = 0;
            } else if (c == '\n') {
                lines.add(new StringBuilder());
                col = 0;
            } else {
                if (col < line.length()) line.setCharAt(col, c);
                else line.append(c);
                col++;
            }
        }
        return lines.stream().map(l -> l.toString().stripTrailing()).toList();
    }

    @Test
    void offPrintsNothing() {
        Fixture f = new Fixture(ProgressBar.Mode.OFF, Duration.ZERO);
        f.report("eval/test", 12, 12, Double.NaN);
        f.bar.close();
        assertEquals("", f.text());
    }
}

package io.onerec.examples;

import io.onerec.api.ProgressListener;
import io.onerec.api.TrainingProgress;

import java.io.PrintStream;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * A progress display for the library's {@link TrainingProgress} reports (codec fit, generator training, evaluation,
 * reward model, reasoner stages), e.g.
 * {@code generator/epoch-3 [#########...........] 45% 1,234/2,740 steps  12.3 steps/s  ETA 2m05s  loss 3.2100}.
 *
 * <p>On a terminal ({@link Mode#BAR}) it redraws one line in place, at most ten times a second, and starts a new line
 * when the phase changes, so each phase keeps its last bar. Log lines written through {@link #sharing} (which
 * {@link #forConsole} installs as {@code System.err} and {@code System.out}) lift the bar off and put it back below
 * them, so the bar stays on the last line and never mixes with a log line. Elsewhere ({@link Mode#LINES}: a CI log, a file, Maven's
 * {@code exec:exec}, which pipes the program's output) it prints a plain line at most once per interval and when a
 * phase reaches its total, and never a carriage return, so a log holds about one line per interval however often
 * the library reports. Rate and ETA are measured per phase from its first report; a phase that recurs with growing
 * steps (e.g. {@code generator/validation} once per epoch) keeps its start, so its ETA is that of the whole run of
 * epochs, while one that starts again from a lower step (a second {@code eval/test}) is measured afresh.
 *
 * <p>Examples attach it where they would log progress; library code keeps logging through slf4j.
 */
public final class ProgressBar implements ProgressListener, AutoCloseable {
    /** How progress is shown. */
    public enum Mode {
        /** One line redrawn in place (a terminal). */
        BAR,
        /** A plain line at most once per interval (logs, pipes). */
        LINES,
        /** Nothing. */
        OFF
    }

    static final int BAR_WIDTH = 20;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream out;
    private final Mode mode;
    private final LongSupplier nanoClock;
    private final long lineIntervalNanos;
    private final int columns;

    /** Per phase: the clock and step of its first report, from which its rate is measured, and its latest step. */
    private final Map<String, long[]> phaseStart = new HashMap<>();
    private String shownPhase;
    private long lastPrintNanos;
    private boolean printedAny;
    /** The bar on the screen now (BAR mode), null when none is. */
    private String barOnScreen;
    /** The bar lifted off while other output writes a line, put back when that line ends; null when none is. */
    private String barLifted;

    /**
     * @param out          where to print
     * @param mode         how
     * @param nanoClock    a monotonic clock in nanoseconds ({@code System::nanoTime}; a fake one in tests)
     * @param lineInterval in {@link Mode#LINES}, the least time between two lines of the same phase
     * @param columns      in {@link Mode#BAR}, the terminal width the line is cut to
     */
    public ProgressBar(PrintStream out, Mode mode, LongSupplier nanoClock, Duration lineInterval, int columns) {
        if (lineInterval.isNegative()) throw new IllegalArgumentException("lineInterval must be >= 0, got " + lineInterval);
        if (columns < 20) throw new IllegalArgumentException("columns must be >= 20, got " + columns);
        this.out = out;
        this.mode = mode;
        this.nanoClock = nanoClock;
        this.lineIntervalNanos = lineInterval.toNanos();
        this.columns = columns;
    }

    /**
     * A display on {@code System.err} (where slf4j-simple logs): a bar on a terminal, a line every 10 seconds
     * otherwise. {@code -Donerec.progress=bar|lines|off} overrides the choice. (Under {@code mvn exec:exec} the
     * program's output is a pipe that Maven relays line by line, so lines is the right choice there.)
     */
    public static ProgressBar forConsole() {
        String choice = System.getProperty("onerec.progress", "auto").toLowerCase(Locale.ROOT);
        Mode mode = switch (choice) {
            case "auto" -> System.console() != null && System.console().isTerminal() ? Mode.BAR : Mode.LINES;
            case "bar" -> Mode.BAR;
            case "lines" -> Mode.LINES;
            case "off" -> Mode.OFF;
            default -> throw new IllegalArgumentException("-Donerec.progress must be auto, bar, lines or off, not " + choice);
        };
        int columns = 120;
        try {
            columns = Math.max(20, Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "120")));
        } catch (NumberFormatException ignored) {
            // keep 120
        }
        PrintStream err = System.err;
        ProgressBar bar = new ProgressBar(err, mode, System::nanoTime, Duration.ofSeconds(10), columns);
        if (mode == Mode.BAR) {
            // slf4j-simple looks System.err up on every log call, so log lines go through the bar from now on.
            System.setErr(bar.sharing(err));
            System.setOut(bar.sharing(System.out));
        }
        return bar;
    }

    /**
     * A stream for other output to the same terminal (logs): before its text the bar is lifted off (blanked), after
     * each of its lines the bar is drawn again below, so a log line never lands in the middle of the bar. In
     * {@link Mode#LINES} and {@link Mode#OFF} it writes straight through.
     */
    public PrintStream sharing(PrintStream target) {
        return new PrintStream(new java.io.OutputStream() {
            @Override
            public void write(int b) {
                write(new byte[]{(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                if (len == 0) return;
                synchronized (ProgressBar.this) {
                    if (barOnScreen != null) {
                        target.print('\r' + " ".repeat(barOnScreen.length()) + '\r');
                        barLifted = barOnScreen;
                        barOnScreen = null;
                    }
                    target.write(b, off, len);
                    if (b[off + len - 1] == '\n' && barLifted != null) {
                        target.print(barLifted);
                        barOnScreen = barLifted;
                        barLifted = null;
                    }
                    target.flush();
                }
            }

            @Override
            public void flush() {
                target.flush();
            }
        }, true, target.charset());
    }

    @Override
    public synchronized void onProgress(TrainingProgress p) {
        if (mode == Mode.OFF) return;
        long now = nanoClock.getAsLong();
        long[] start = phaseStart.get(p.phase());
        // A step below the last one is a new run of the phase (another evaluation of "eval/test"): measure afresh.
        if (start == null || p.step() < start[2]) {
            start = new long[]{now, p.step(), p.step()};
            phaseStart.put(p.phase(), start);
        }
        start[2] = p.step();
        double seconds = (now - start[0]) / 1e9;
        double rate = seconds > 0 && p.step() > start[1] ? (p.step() - start[1]) / seconds : Double.NaN;
        boolean newPhase = !p.phase().equals(shownPhase);
        boolean done = p.total() > 0 && p.step() >= p.total();
        if (mode == Mode.BAR) {
            if (!newPhase && !done && printedAny && now - lastPrintNanos < REDRAW_NANOS) return;
            String line = format(p, rate);
            if (line.length() > columns - 1) line = line.substring(0, columns - 1);
            if (barLifted != null) {
                // Other output is half way through a line: the bar goes back, updated, when that line ends.
                barLifted = line;
            } else {
                // A new phase keeps the last bar of the previous one on its own line.
                if (newPhase && barOnScreen != null) {
                    out.print('\n');
                    barOnScreen = null;
                }
                // Blanks over the rest of a longer previous bar.
                int pad = barOnScreen == null ? 0 : Math.max(0, barOnScreen.length() - line.length());
                out.print('\r' + line + " ".repeat(pad));
                barOnScreen = line;
            }
        } else {
            boolean due = !printedAny || now - lastPrintNanos >= lineIntervalNanos;
            if (!due && !done) return;
            out.println(format(p, rate));
        }
        out.flush();
        shownPhase = p.phase();
        lastPrintNanos = now;
        printedAny = true;
    }

    /** Ends the bar's line, so that what is printed next starts on a fresh one; a no-op for lines. */
    @Override
    public synchronized void close() {
        if (barOnScreen != null) {
            out.print('\n');
            out.flush();
        }
        barOnScreen = null;
        barLifted = null;
        printedAny = false;
        shownPhase = null;
    }

    /**
     * One report as a line: phase, bar and percentage (when the total is known), count, rate, ETA (when the total
     * and the rate are known), loss and metrics. {@code rate} is in steps per second, NaN when not yet known.
     */
    static String format(TrainingProgress p, double rate) {
        String unit = unit(p.phase());
        StringBuilder sb = new StringBuilder(p.phase()).append(' ');
        if (p.total() > 0) {
            double fraction = Math.clamp((double) p.step() / p.total(), 0.0, 1.0);
            int filled = (int) Math.floor(fraction * BAR_WIDTH);
            sb.append('[').append("#".repeat(filled)).append(".".repeat(BAR_WIDTH - filled)).append("] ")
                    .append((int) Math.floor(fraction * 100)).append("% ")
                    .append(String.format(Locale.ROOT, "%,d/%,d %s", p.step(), p.total(), plural(unit)));
        } else {
            sb.append(String.format(Locale.ROOT, "%,d %s", p.step(), plural(unit)));
        }
        sb.append("  ").append(rate(rate, unit));
        if (p.total() > 0) {
            double remaining = Math.max(0, p.total() - p.step());
            sb.append("  ETA ").append(remaining == 0 ? "0s" : duration(remaining / rate));
        }
        if (!Double.isNaN(p.loss())) sb.append(String.format(Locale.ROOT, "  loss %.4f", p.loss()));
        for (Map.Entry<String, Double> m : new TreeMap<>(p.metrics()).entrySet()) {
            sb.append("  ").append(m.getKey()).append(' ').append(number(m.getValue()));
        }
        return sb.toString();
    }

    /** {@code 12.3 steps/s}; below one per second {@code 48.1 s/epoch}; {@code - steps/s} when unknown. */
    static String rate(double perSecond, String unit) {
        if (!(perSecond > 0) || Double.isInfinite(perSecond)) return "- " + plural(unit) + "/s";
        if (perSecond < 1) return String.format(Locale.ROOT, "%.1f s/%s", 1 / perSecond, unit);
        String fmt = perSecond < 10 ? "%.2f %s/s" : perSecond < 100 ? "%.1f %s/s" : "%,.0f %s/s";
        return String.format(Locale.ROOT, fmt, perSecond, plural(unit));
    }

    /** {@code 45s}, {@code 2m05s}, {@code 1h02m}; {@code ?} when not finite or negative. */
    static String duration(double seconds) {
        if (!Double.isFinite(seconds) || seconds < 0) return "?";
        long s = Math.round(seconds);
        if (s < 60) return s + "s";
        if (s < 3600) return String.format(Locale.ROOT, "%dm%02ds", s / 60, s % 60);
        long m = Math.round(seconds / 60);
        return String.format(Locale.ROOT, "%dh%02dm", m / 60, m % 60);
    }

    /** What one step of a phase is, from the phase names the library uses. */
    static String unit(String phase) {
        if (phase.startsWith("codec/")) return "iteration";
        if (phase.startsWith("eval/")) return "batch";
        if (phase.startsWith("think-ahead/")) return "user";
        // Per-epoch reports: "generator/validation", "sasrec/validation", "ipa/train", "reward/train".
        if (phase.endsWith("/validation") || phase.endsWith("/train")) return "epoch";
        return "step";
    }

    private static String plural(String unit) {
        return unit.equals("batch") ? "batches" : unit + "s";
    }

    private static String number(double v) {
        double a = Math.abs(v);
        return String.format(Locale.ROOT, a != 0 && (a < 0.01 || a >= 1e5) ? "%.2e" : "%.4f", v);
    }
}

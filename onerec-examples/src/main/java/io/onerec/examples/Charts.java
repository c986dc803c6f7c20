package io.onerec.examples;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Line and bar charts as PNG with plain Java2D (headless; no plotting dependency): title, axis labels, ticks at
 * 1/2/5 x 10^k steps, a light grid and a legend above the plot area, where it never hides data.
 */
final class Charts {
    static {
        // Charts are drawn off screen; without this a JVM on a machine with a display would open a connection to it.
        if (System.getProperty("java.awt.headless") == null) System.setProperty("java.awt.headless", "true");
    }

    static final int WIDTH = 900, HEIGHT = 520;
    private static final Color[] PALETTE = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
            new Color(0xff7f0e), new Color(0x9467bd), new Color(0x8c564b)};
    private static final Color GRID = new Color(0xe6e6e6), AXIS = new Color(0x333333), MARKER = new Color(0x777777);
    private static final int LEFT = 90, RIGHT = 30, TOP = 84, BOTTOM = 66;

    private Charts() {
    }

    /** A named line; {@code x} and {@code y} have the same length; points with a NaN y are left out (epochs not validated). */
    record Series(String name, double[] x, double[] y, boolean dots) {
        Series {
            if (x.length != y.length) throw new IllegalArgumentException(name + ": " + x.length + " x values, " + y.length + " y values");
        }
    }

    /** A vertical dashed line at {@code x} with a label (e.g. the best epoch). */
    record Marker(double x, String label) {
    }

    /** The colour the {@code i}-th series is drawn in. */
    static Color color(int i) {
        return PALETTE[i % PALETTE.length];
    }

    /**
     * Lines through the points of each series (dots on the points where asked); {@code integerX} keeps x ticks on
     * whole numbers (epochs); {@code marker} may be null.
     */
    static void lines(Path png, String title, String xLabel, String yLabel, List<Series> series, boolean integerX, Marker marker) {
        if (series.isEmpty()) throw new IllegalArgumentException("no series to draw for " + title);
        double xMin = Double.POSITIVE_INFINITY, xMax = Double.NEGATIVE_INFINITY, yMin = Double.POSITIVE_INFINITY, yMax = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.x().length; i++) {
                if (!Double.isFinite(s.y()[i]) || !Double.isFinite(s.x()[i])) continue;
                xMin = Math.min(xMin, s.x()[i]);
                xMax = Math.max(xMax, s.x()[i]);
                yMin = Math.min(yMin, s.y()[i]);
                yMax = Math.max(yMax, s.y()[i]);
            }
        }
        if (xMin > xMax) throw new IllegalArgumentException("no finite points to draw for " + title);
        Axis x = Axis.of(xMin, xMax, integerX, false), y = Axis.of(yMin, yMax, false, false);
        Canvas c = new Canvas(title, xLabel, yLabel, x, y);
        if (marker != null) c.marker(marker);
        // Back to front: the first series is drawn last, on top of the others.
        for (int k = series.size() - 1; k >= 0; k--) {
            Series s = series.get(k);
            c.g.setColor(color(k));
            c.g.setStroke(new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
            Path2D path = new Path2D.Double();
            boolean penDown = false;
            for (int i = 0; i < s.x().length; i++) {
                if (!Double.isFinite(s.y()[i])) continue;
                double px = c.px(s.x()[i]), py = c.py(s.y()[i]);
                if (penDown) path.lineTo(px, py);
                else path.moveTo(px, py);
                penDown = true;
                if (s.dots()) c.g.fill(new Ellipse2D.Double(px - 3.5, py - 3.5, 7, 7));
            }
            c.g.draw(path);
        }
        List<String> names = new ArrayList<>();
        List<LegendKey> keys = new ArrayList<>();
        for (Series s : series) {
            names.add(s.name());
            keys.add(s.dots() ? LegendKey.LINE_AND_DOT : LegendKey.LINE);
        }
        c.legend(names, keys);
        c.write(png);
    }

    /**
     * One bar per value, left to right, from zero; {@code reference} draws a dashed horizontal line with its
     * {@code referenceLabel} in the legend (NaN: none).
     */
    static void bars(Path png, String title, String xLabel, String yLabel, double[] values, String valuesLabel,
                     double reference, String referenceLabel) {
        if (values.length == 0) throw new IllegalArgumentException("no bars to draw for " + title);
        double max = Double.isNaN(reference) ? 0 : reference;
        for (double v : values) max = Math.max(max, v);
        Axis x = Axis.of(0, values.length, true, true), y = Axis.of(0, max, false, false);
        Canvas c = new Canvas(title, xLabel, yLabel, x, y);
        c.g.setColor(color(0));
        double w = c.px(1) - c.px(0);
        // A 1-pixel gap between bars while they are wide enough to see it.
        double gap = w >= 4 ? 1 : 0;
        for (int i = 0; i < values.length; i++) {
            double top = c.py(values[i]), left = c.px(i);
            c.g.fill(new Rectangle2D.Double(left + gap / 2, top, Math.max(w - gap, 0.8), c.py(0) - top));
        }
        List<String> names = new ArrayList<>(List.of(valuesLabel));
        List<LegendKey> keys = new ArrayList<>(List.of(LegendKey.BLOCK));
        if (!Double.isNaN(reference)) {
            keys.add(LegendKey.DASHED);
            c.g.setColor(color(1));
            c.g.setStroke(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{8f, 5f}, 0f));
            c.g.draw(new Line2D.Double(c.px(x.min), c.py(reference), c.px(x.max), c.py(reference)));
            names.add(referenceLabel);
        }
        c.legend(names, keys);
        c.write(png);
    }

    /** How the legend shows a series. */
    private enum LegendKey { LINE, LINE_AND_DOT, BLOCK, DASHED }

    /** An axis range with its ticks. */
    record Axis(double min, double max, double step) {
        /**
         * A range covering [lo, hi] with 4-8 ticks at 1/2/5 x 10^k; {@code exactEnds} keeps the exact ends (bars:
         * 0 to n) instead of rounding them out to ticks.
         */
        static Axis of(double lo, double hi, boolean integer, boolean exactEnds) {
            if (exactEnds) {
                if (!(hi > lo)) throw new IllegalArgumentException("empty axis range [" + lo + ", " + hi + "]");
                double step = niceStep((hi - lo) / 5);
                return new Axis(lo, hi, integer ? Math.max(1, Math.round(step)) : step);
            }
            boolean nonNegative = lo >= 0;
            // Headroom so that points do not sit on the frame: half a step on whole-number axes, else 5%.
            double pad = integer ? 0.5 : hi - lo < 1e-12 ? Math.max(Math.abs(lo) * 0.1, 1e-3) : (hi - lo) * 0.05;
            lo -= pad;
            hi += pad;
            double step = niceStep((hi - lo) / 5);
            if (integer) step = Math.max(1, Math.round(step));
            double min = integer ? Math.floor(lo) : Math.floor(lo / step) * step;
            double max = integer ? Math.ceil(hi) : Math.ceil(hi / step) * step;
            // Counts, losses and metrics are not negative: an axis below zero would only waste room.
            if (nonNegative) min = Math.max(0, min);
            return new Axis(min, max, step);
        }

        List<Double> ticks() {
            List<Double> t = new ArrayList<>();
            for (double v = Math.ceil(min / step - 1e-9) * step; v <= max + step * 1e-9; v += step) t.add(Math.abs(v) < step * 1e-9 ? 0.0 : v);
            return t;
        }

        String label(double v) {
            int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
            return String.format(Locale.ROOT, "%,." + decimals + "f", v);
        }
    }

    static double niceStep(double rough) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(rough)));
        double f = rough / magnitude;
        return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * magnitude;
    }

    /** The image with its frame, grid, ticks, title and axis labels drawn; callers add data, legend, then write. */
    private static final class Canvas {
        final BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = image.createGraphics();
        final Axis x, y;
        final double plotW = WIDTH - LEFT - RIGHT, plotH = HEIGHT - TOP - BOTTOM;
        final String title;

        Canvas(String title, String xLabel, String yLabel, Axis x, Axis y) {
            this.title = title;
            this.x = x;
            this.y = y;
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            Font font = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
            g.setFont(font);
            FontMetrics fm = g.getFontMetrics();
            g.setStroke(new BasicStroke(1f));
            for (double t : y.ticks()) {
                int py = (int) Math.round(py(t));
                g.setColor(GRID);
                g.drawLine(LEFT, py, LEFT + (int) plotW, py);
                g.setColor(AXIS);
                g.drawLine(LEFT - 5, py, LEFT, py);
                String s = y.label(t);
                g.drawString(s, LEFT - 8 - fm.stringWidth(s), py + fm.getAscent() / 2 - 1);
            }
            for (double t : x.ticks()) {
                int px = (int) Math.round(px(t));
                g.setColor(GRID);
                g.drawLine(px, TOP, px, TOP + (int) plotH);
                g.setColor(AXIS);
                g.drawLine(px, TOP + (int) plotH, px, TOP + (int) plotH + 5);
                String s = x.label(t);
                g.drawString(s, px - fm.stringWidth(s) / 2, TOP + (int) plotH + 8 + fm.getAscent());
            }
            g.setColor(AXIS);
            g.drawRect(LEFT, TOP, (int) plotW, (int) plotH);
            g.setFont(font.deriveFont(Font.PLAIN, 14f));
            fm = g.getFontMetrics();
            g.drawString(xLabel, LEFT + (int) (plotW - fm.stringWidth(xLabel)) / 2, HEIGHT - 16);
            AffineTransform saved = g.getTransform();
            g.rotate(-Math.PI / 2);
            g.drawString(yLabel, -(TOP + (int) (plotH + fm.stringWidth(yLabel)) / 2), 24);
            g.setTransform(saved);
            g.setFont(font.deriveFont(Font.BOLD, 17f));
            fm = g.getFontMetrics();
            g.drawString(title, (WIDTH - fm.stringWidth(title)) / 2, 28);
            g.setFont(font);
            // Data drawn later stays inside the frame.
            g.clip(new Rectangle2D.Double(LEFT, TOP, plotW + 1, plotH + 1));
        }

        double px(double v) {
            return LEFT + (v - x.min) / (x.max - x.min) * plotW;
        }

        double py(double v) {
            return TOP + plotH - (v - y.min) / (y.max - y.min) * plotH;
        }

        void marker(Marker m) {
            g.setColor(MARKER);
            g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{4f, 4f}, 0f));
            double px = px(m.x());
            g.draw(new Line2D.Double(px, TOP, px, TOP + plotH));
            FontMetrics fm = g.getFontMetrics();
            // The label goes left of the line when the line is in the right half.
            int w = fm.stringWidth(m.label());
            int lx = px > LEFT + plotW / 2 ? (int) px - 6 - w : (int) px + 6;
            g.drawString(m.label(), lx, TOP + 16);
        }

        /** A row of swatches and names between the title and the plot. */
        void legend(List<String> names, List<LegendKey> keys) {
            g.setClip(null);
            FontMetrics fm = g.getFontMetrics();
            int total = 0;
            for (String n : names) total += 28 + fm.stringWidth(n) + 24;
            int lx = Math.max(LEFT, (WIDTH - total + 24) / 2), ly = 56;
            for (int i = 0; i < names.size(); i++) {
                g.setColor(color(i));
                switch (keys.get(i)) {
                    case BLOCK -> g.fillRect(lx, ly - 6, 22, 12);
                    case DASHED -> {
                        g.setStroke(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[]{8f, 5f}, 0f));
                        g.drawLine(lx, ly, lx + 22, ly);
                    }
                    case LINE, LINE_AND_DOT -> {
                        g.setStroke(new BasicStroke(2f));
                        g.drawLine(lx, ly, lx + 22, ly);
                        if (keys.get(i) == LegendKey.LINE_AND_DOT) g.fill(new Ellipse2D.Double(lx + 7.5, ly - 3.5, 7, 7));
                    }
                }
                g.setColor(AXIS);
                g.drawString(names.get(i), lx + 28, ly + fm.getAscent() / 2 - 1);
                lx += 28 + fm.stringWidth(names.get(i)) + 24;
            }
        }

        void write(Path png) {
            g.dispose();
            try {
                Path parent = png.toAbsolutePath().getParent();
                if (parent != null) Files.createDirectories(parent);
                if (!ImageIO.write(image, "png", png.toFile())) throw new IOException("no PNG writer");
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write chart " + png, e);
            }
        }
    }
}

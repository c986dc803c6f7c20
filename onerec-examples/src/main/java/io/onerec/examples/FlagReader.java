package io.onerec.examples;

import java.nio.file.Path;
import java.util.function.Function;

/**
 * Walks an example's command line flag by flag and reads each flag's value with its range checked, so that every
 * example refuses bad input the same way: a missing value, a value that is not a number, or a count out of range is
 * an {@link IllegalArgumentException} naming the flag and what it got (instead of an index error, a bare
 * {@code NumberFormatException}, or a negative count that some field treats as "use the default").
 *
 * <pre>{@code
 * FlagReader flags = new FlagReader(args);
 * while (flags.next()) {
 *     switch (flags.flag()) {
 *         case "--epochs" -> epochs = flags.count(1);
 *         case "--dropout" -> dropout = flags.fraction();
 *         default -> throw flags.unknown("--epochs N --dropout P");
 *     }
 * }
 * }</pre>
 */
final class FlagReader {
    private final String[] args;
    private int index = -1;
    /** Where the current flag is; {@link #index} moves on to its value once that is read. */
    private int flagIndex = -1;

    FlagReader(String[] args) {
        this.args = args.clone();
    }

    /** Moves to the next flag; false when there is none. */
    boolean next() {
        flagIndex = ++index;
        return index < args.length;
    }

    /** The current flag, e.g. {@code --epochs}. */
    String flag() {
        return args[flagIndex];
    }

    /** The current flag's value as text; consumes it. */
    String text() {
        if (index + 1 >= args.length) throw new IllegalArgumentException(flag() + " needs a value");
        return args[++index];
    }

    Path path() {
        return Path.of(text());
    }

    /** An integer count, refused below {@code min}. */
    int count(int min) {
        int v = parsed("an integer", Integer::parseInt);
        if (v < min) throw new IllegalArgumentException(flag() + " must be >= " + min + ", got " + args[index]);
        return v;
    }

    long longValue() {
        return parsed("an integer", Long::parseLong);
    }

    /** Any finite number (a weight that may be negative, an offset). */
    double real() {
        double v = parsed("a number", Double::parseDouble);
        if (!Double.isFinite(v)) throw new IllegalArgumentException(flag() + " needs a finite number, got " + args[index]);
        return v;
    }

    private <T> T parsed(String what, Function<String, T> parser) {
        String value = text();
        try {
            return parser.apply(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(flag() + " needs " + what + ", got " + value);
        }
    }

    /** A number > 0 (a learning rate, a time budget). */
    double positive() {
        double v = real();
        if (!(v > 0)) throw new IllegalArgumentException(flag() + " must be > 0, got " + args[index]);
        return v;
    }

    /** A number >= 0 (a weight decay, a distillation share). */
    double nonNegative() {
        double v = real();
        if (v < 0) throw new IllegalArgumentException(flag() + " must be >= 0, got " + args[index]);
        return v;
    }

    /** A probability in [0, 1) (dropout). */
    double fraction() {
        double v = real();
        if (!(v >= 0 && v < 1)) throw new IllegalArgumentException(flag() + " must be in [0, 1), got " + args[index]);
        return v;
    }

    /** A share in [0, 1] (a mixture weight). */
    double share() {
        double v = real();
        if (!(v >= 0 && v <= 1)) throw new IllegalArgumentException(flag() + " must be in [0, 1], got " + args[index]);
        return v;
    }

    /** {@code true} or {@code false}, nothing else (Boolean.parseBoolean would read a typo as false). */
    boolean bool() {
        String value = text();
        return switch (value.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(flag() + " must be true or false, got " + value);
        };
    }

    /** The exception for a flag the example does not know, listing the ones it does. */
    IllegalArgumentException unknown(String usage) {
        return new IllegalArgumentException("unknown flag " + flag() + " (flags: " + usage + ")");
    }
}

package io.onerec.api.spi;

import io.onerec.api.Generator;
import io.onerec.api.SemanticIdCodec;

import java.nio.file.Path;

/** Backends registered through src/test/resources/META-INF/services, for {@link BackendsTest}. */
public final class FakeBackends {
    private FakeBackends() {
    }

    abstract static class Fake implements Backend {
        private final String name;
        private final int priority;
        private final String reason;

        Fake(String name, int priority, String reason) {
            this.name = name;
            this.priority = priority;
            this.reason = reason;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int priority() {
            return priority;
        }

        @Override
        public boolean isAvailable() {
            return reason.isEmpty();
        }

        @Override
        public String unavailableReason() {
            return reason;
        }

        @Override
        public SemanticIdCodec loadCodec(Path dir) {
            throw new UnsupportedOperationException("fake");
        }

        @Override
        public Generator loadGenerator(Path dir, SemanticIdCodec codec) {
            throw new UnsupportedOperationException("fake");
        }
    }

    /** Available, middle priority: the automatic choice. */
    public static final class Fast extends Fake {
        public Fast() {
            super("fast", 10, "");
        }
    }

    /** Highest priority but cannot run: must be skipped, and fail loudly when forced. */
    public static final class Broken extends Fake {
        public Broken() {
            super("broken", 100, "no natives for this platform");
        }
    }

    /** Available, lowest priority. */
    public static final class Slow extends Fake {
        public Slow() {
            super("slow", 1, "");
        }
    }
}

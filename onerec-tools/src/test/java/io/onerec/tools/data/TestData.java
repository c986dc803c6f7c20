package io.onerec.tools.data;

import io.onerec.testing.SharedData;
import java.nio.file.Path;

/** Reads the shared data sets once per test JVM (the readers are exercised by their own tests). */
final class TestData {
    private static InteractionSequences beauty;
    private static InteractionSequences movieLens;

    private TestData() {
    }

    static Path dir() {
        return SharedData.dir("amazon-beauty", "ml-100k");
    }

    static synchronized InteractionSequences beauty() {
        if (beauty == null) beauty = Datasets.beauty(dir());
        return beauty;
    }

    static synchronized InteractionSequences movieLens() {
        if (movieLens == null) movieLens = Datasets.movieLens100k(dir());
        return movieLens;
    }
}

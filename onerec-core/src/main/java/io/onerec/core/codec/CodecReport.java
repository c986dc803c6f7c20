package io.onerec.core.codec;

import java.util.List;

/**
 * Quality of a fitted codec.
 *
 * @param levels              one report per quantization level
 * @param meanSquaredNorm     mean ||x||^2 of the input embeddings (the error of quantizing with zero levels)
 * @param collisionRate       fraction of items whose quantization codes (all L levels) are shared with at least one
 *                            other item, before disambiguation
 * @param distinctCodeTuples  number of distinct L-code tuples
 * @param maxCollisionGroup   items in the largest group sharing one tuple (1 = no collisions); the size of the
 *                            disambiguation position when it exists
 * @param fitMillis           total wall time
 */
public record CodecReport(List<LevelReport> levels, double meanSquaredNorm, double collisionRate,
                          int distinctCodeTuples, int maxCollisionGroup, long fitMillis) {
    public CodecReport {
        levels = List.copyOf(levels);
    }
}

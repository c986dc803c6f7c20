package io.onerec.core.vector;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The log-softmax exponential of the Panama kernels: close to {@code Math.exp} over the whole range log-softmax uses,
 * and the vector and scalar forms give the same bits (both are plain IEEE lane arithmetic, which is what keeps them
 * identical in every JIT tier).
 */
class PanamaExpTest {

    @BeforeAll
    static void needsVectorApi() {
        Assumptions.assumeTrue(KernelProvider.vectorApiPresent(), "needs jdk.incubator.vector");
    }

    @Test
    void closeToMathExpAndVectorEqualsScalarBitForBit() {
        Random rnd = new Random(3);
        var species = FloatVector.SPECIES_PREFERRED;
        float[] x = new float[species.length() * 4096];
        for (int i = 0; i < x.length; i++) {
            x[i] = switch (i % 4) {
                case 0 -> -rnd.nextFloat() * 90;        // the whole range, past underflow
                case 1 -> -rnd.nextFloat();             // near zero
                case 2 -> -(float) (Math.log(2) / 2 * (i % 64)); // near the reduction's breakpoints
                default -> -rnd.nextFloat() * 20;
            };
        }
        x[0] = 0f;
        x[1] = -0f;
        x[2] = -1000f;
        x[3] = Float.NEGATIVE_INFINITY;
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i += species.length()) {
            PanamaMath.exp(FloatVector.fromArray(species, x, i)).intoArray(y, i);
        }
        double worst = 0;
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToRawIntBits(PanamaMath.expScalar(x[i])), Float.floatToRawIntBits(y[i]), "x = " + x[i]);
            double exact = Math.exp(x[i]);
            if (x[i] < -87.3f) {
                assertTrue(y[i] >= 0 && y[i] < 1e-37, "x = " + x[i] + " underflows to a tiny value, got " + y[i]);
                continue;
            }
            worst = Math.max(worst, Math.abs(y[i] - exact) / exact);
        }
        assertEquals(1f, y[0], 0f, "e^0");
        assertTrue(worst < 5e-7, "worst relative error " + worst);
    }
}

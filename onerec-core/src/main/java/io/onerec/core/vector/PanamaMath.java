package io.onerec.core.vector;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Vector math that gives the same bits in every JIT tier. The Vector API's transcendental lane operations
 * ({@code lanewise(EXP)}) are approximations whose C2 intrinsic and interpreter/C1 fallback differ in the last bits;
 * these are built only from operations Java specifies exactly. Only usable when {@code jdk.incubator.vector} is
 * present (see {@link KernelProvider}).
 */
public final class PanamaMath {
    private PanamaMath() {
    }

    private static final float LOG2E = 1.44269504088896341f;
    /** ln 2 split in two (Cody-Waite), so that n * LN2_HI is exact for the n that occur. */
    private static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    /** Below this, e^x is under the smallest normal float; clamping keeps 2^n a normal number. */
    private static final float EXP_MIN = -87.3f;
    /** Taylor coefficients 1/k! of e^r, highest first, for |r| <= ln(2)/2 (error about 1e-7 relative). */
    private static final float[] EXP_POLY = {1f / 720, 1f / 120, 1f / 24, 1f / 6, 1f / 2, 1f, 1f};

    /**
     * e^x for x <= 0 (log-softmax arguments, shifted by the row maximum), from lane arithmetic that Java specifies
     * exactly (mul, add, fma, conversions, shifts), so it gives the same bits in every JIT tier: x = n ln2 + r with n
     * the nearest integer, e^r by a degree-6 polynomial, 2^n put straight into the exponent bits.
     */
    public static FloatVector exp(FloatVector x) {
        x = x.max(EXP_MIN);
        // x <= 0, so truncating x*log2(e) - 0.5 towards zero rounds to the nearest integer.
        IntVector n = (IntVector) x.mul(LOG2E).sub(0.5f).convert(VectorOperators.F2I, 0);
        FloatVector nf = (FloatVector) n.convert(VectorOperators.I2F, 0);
        FloatVector r = nf.fma(FloatVector.broadcast(x.species(), -LN2_HI), x).add(nf.mul(-LN2_LO));
        FloatVector p = FloatVector.broadcast(x.species(), EXP_POLY[0]);
        for (int k = 1; k < EXP_POLY.length; k++) p = p.fma(r, FloatVector.broadcast(x.species(), EXP_POLY[k]));
        FloatVector twoN = n.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        return p.mul(twoN);
    }

    /** The same arithmetic as {@link #exp(FloatVector)} for one value (the tails of rows). */
    public static float expScalar(float x) {
        x = Math.max(x, EXP_MIN);
        int n = (int) (x * LOG2E - 0.5f);
        float nf = n;
        float r = Math.fma(nf, -LN2_HI, x) + nf * -LN2_LO;
        float p = EXP_POLY[0];
        for (int k = 1; k < EXP_POLY.length; k++) p = Math.fma(p, r, EXP_POLY[k]);
        return p * Float.intBitsToFloat((n + 127) << 23);
    }
}

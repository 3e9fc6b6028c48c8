package io.quantsweep.quant.codec;

/**
 * Scalar maths shared by the quantizers, named after ggml's functions so the two can be read side by
 * side. Every float operation is evaluated in the order ggml writes it, each rounded to binary32; no
 * {@code Math.fma}, no reassociation, sums in index order.
 */
final class KQuants {
    /** ggml's {@code GROUP_MAX_EPS}: a group whose largest magnitude is below this quantizes to zeros. */
    static final float GROUP_MAX_EPS = 1e-15f;

    private KQuants() {
    }

    /**
     * ggml's {@code nearest_int}: round half to even, exact for |f| ≤ 4194303 (ggml asserts that range;
     * callers only pass bounded values).
     */
    static int nearestInt(float f) {
        return (int) Math.rint(f);
    }

    /**
     * C's {@code roundf}: round half away from zero. The {@code +0.5} is done in double so that
     * 0.49999997f does not round up ({@code Math.round} would also be wrong: it rounds halves up).
     */
    static int roundf(float f) {
        return (int) Math.copySign(Math.floor(Math.abs((double) f) + 0.5), f);
    }
}

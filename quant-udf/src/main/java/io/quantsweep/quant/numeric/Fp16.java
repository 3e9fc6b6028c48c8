package io.quantsweep.quant.numeric;

/**
 * IEEE binary16 conversions as ggml does them (JDK 17 has no {@code Float.floatToFloat16}).
 *
 * <p>{@link #fromFloat} is round-to-nearest-even with gradual underflow and overflow to infinity; a NaN
 * becomes the canonical quiet NaN {@code sign|0x7E00}, dropping the payload (the JDK 20 method keeps
 * payload bits, which is why ggml's result is reproduced here rather than delegated).
 */
public final class Fp16 {
    private static final float SCALE_TO_INF = 0x1.0p112f;
    private static final float SCALE_TO_ZERO = 0x1.0p-110f;

    private Fp16() {
    }

    /** binary32 to binary16 bits, ggml's {@code ggml_compute_fp32_to_fp16}. */
    public static short fromFloat(float f) {
        // The scale pair pushes the rounding point to binary16's: adding a power of two aligned to the
        // result's exponent lets the float adder do the round-to-nearest-even for us.
        float base = (Math.abs(f) * SCALE_TO_INF) * SCALE_TO_ZERO;
        int w = Float.floatToRawIntBits(f);
        int shl1 = w << 1;
        int sign = w & 0x80000000;
        int bias = shl1 & 0xFF000000;
        if (Integer.compareUnsigned(bias, 0x71000000) < 0) {
            bias = 0x71000000;
        }
        base = Float.intBitsToFloat((bias >>> 1) + 0x07800000) + base;
        int bits = Float.floatToRawIntBits(base);
        int nonSign = ((bits >>> 13) & 0x7C00) + (bits & 0x0FFF);
        boolean nan = Integer.compareUnsigned(shl1, 0xFF000000) > 0;
        return (short) ((sign >>> 16) | (nan ? 0x7E00 : nonSign));
    }

    /** binary16 bits to binary32, exact. */
    public static float toFloat(short h) {
        int bits = h & 0xFFFF;
        int sign = (bits & 0x8000) << 16;
        int exp = (bits >>> 10) & 0x1F;
        int mant = bits & 0x3FF;
        if (exp == 0) {
            float v = mant * 0x1.0p-24f;
            return sign != 0 ? -v : v;
        }
        if (exp == 31) {
            return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13) | (mant != 0 ? 0x00400000 : 0));
        }
        return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
    }
}

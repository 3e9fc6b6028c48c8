package io.quantsweep.quant.numeric;

/**
 * FP8 E4M3 "fn" (sign, 4 exponent bits with bias 7, 3 mantissa bits; no infinity; {@code S.1111.111}
 * is NaN; largest finite 448), the format of DeepSeek-V3's released weights.
 */
public final class Fp8E4M3 {
    /** Largest finite magnitude. */
    public static final float MAX = 448f;

    private static final float[] DECODE = new float[256];

    static {
        for (int code = 0; code < 256; code++) {
            DECODE[code] = decodeSlow(code);
        }
    }

    private Fp8E4M3() {
    }

    private static float decodeSlow(int code) {
        int exp = (code >>> 3) & 0xF;
        int mant = code & 0x7;
        float magnitude;
        if (exp == 0xF && mant == 0x7) {
            magnitude = Float.NaN;
        } else if (exp == 0) {
            magnitude = mant * 0x1.0p-9f;
        } else {
            magnitude = (1f + mant / 8f) * (float) Math.scalb(1.0, exp - 7);
        }
        return (code & 0x80) != 0 ? -magnitude : magnitude;
    }

    /** The value of one FP8 code (the byte's 8 bits). */
    public static float toFloat(byte code) {
        return DECODE[code & 0xFF];
    }

    /**
     * Nearest FP8 code to {@code v}, ties to even, saturating at ±448 (as DeepSeek's conversion and the
     * golden-vector generator do); NaN maps to the NaN code of its sign.
     */
    public static byte fromFloat(double v) {
        int sign = (Double.doubleToRawLongBits(v) < 0) ? 0x80 : 0;
        if (Double.isNaN(v)) {
            return (byte) (sign | 0x7F);
        }
        double a = Math.abs(v);
        if (a == 0) {
            return (byte) sign;
        }
        if (a >= MAX) {
            return (byte) (sign | 0x7E);
        }
        int e = Math.max(Math.getExponent(a), -6);
        double step = Math.scalb(1.0, e - 3);
        double q = Math.min(Math.rint(a / step) * step, MAX);
        // q is exactly representable: find its code by the exponent/mantissa split.
        int qe = Math.getExponent(q);
        int code;
        if (q < 0x1.0p-6) {
            code = (int) (q / 0x1.0p-9);
        } else {
            code = ((qe + 7) << 3) | (int) ((q / Math.scalb(1.0, qe) - 1.0) * 8);
        }
        return (byte) (sign | code);
    }
}

package io.quantsweep.quant.numeric;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Fp16Test {

    /** Textbook binary16 rounding through double, independent of the ggml bit trick under test. */
    private static int referenceFp16(float f) {
        int sign = (Float.floatToRawIntBits(f) >>> 16) & 0x8000;
        if (Float.isNaN(f)) {
            return sign | 0x7E00;
        }
        double a = Math.abs((double) f);
        if (a >= 65520.0) {
            return sign | 0x7C00;
        }
        int e = Math.max(Math.getExponent(a), -14);
        double step = Math.scalb(1.0, e - 10);
        double q = Math.rint(a / step) * step;
        if (q == 0) {
            return sign;
        }
        int qe = Math.getExponent(q);
        if (qe < -14) {
            return sign | (int) (q / 0x1.0p-24);
        }
        int mant = (int) ((q / Math.scalb(1.0, qe) - 1.0) * 1024);
        return sign | ((qe + 15) << 10) | mant;
    }

    @Test
    void everyHalfRoundTripsThroughFloat() {
        for (int h = 0; h < 0x10000; h++) {
            float f = Fp16.toFloat((short) h);
            int back = Fp16.fromFloat(f) & 0xFFFF;
            boolean nan = (h & 0x7C00) == 0x7C00 && (h & 0x3FF) != 0;
            assertEquals(nan ? (h & 0x8000) | 0x7E00 : h, back, "half 0x" + Integer.toHexString(h));
            assertEquals(nan, Float.isNaN(f));
        }
    }

    @Test
    void matchesTextbookRoundingOnSeededBitPatterns() {
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < 2_000_000; i++) {
            float f = Float.intBitsToFloat(random.nextInt());
            assertEquals(referenceFp16(f), Fp16.fromFloat(f) & 0xFFFF, "bits 0x" + Integer.toHexString(Float.floatToRawIntBits(f)));
        }
    }

    @Test
    void edgeCases() {
        assertEquals(0x3C00, Fp16.fromFloat(1f));
        assertEquals(0x8000, Fp16.fromFloat(-0f) & 0xFFFF, "negative zero keeps its sign");
        assertEquals(0x7BFF, Fp16.fromFloat(65519.99f), "largest finite");
        assertEquals(0x7C00, Fp16.fromFloat(65520f), "overflow to infinity");
        assertEquals(0xFC00, Fp16.fromFloat(Float.NEGATIVE_INFINITY) & 0xFFFF);
        assertEquals(0x0000, Fp16.fromFloat(0x1.0p-25f), "half the smallest subnormal ties to even: zero");
        assertEquals(0x0001, Fp16.fromFloat(Math.nextUp(0x1.0p-25f)));
        assertEquals(0x3C00, Fp16.fromFloat(1f + 0x1.0p-11f), "tie between 1 and 1+2^-10 goes to even");
        assertEquals(0x3C02, Fp16.fromFloat(1f + 3 * 0x1.0p-11f), "tie goes to even upwards");
        assertEquals(0xFE00, Fp16.fromFloat(Float.intBitsToFloat(0xFFC01234)) & 0xFFFF, "NaN payload dropped, sign kept");
        assertTrue(Float.isInfinite(Fp16.toFloat((short) 0x7C00)));
        assertEquals(0x1.0p-24f, Fp16.toFloat((short) 1));
    }
}

package io.quantsweep.quant.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * ggml's {@code nearest_int} trick against round half to even over the range ggml asserts, and outside it;
 * {@link KQuants#cvtt}, C's float-to-int conversion as x86-64 executes it.
 */
class KQuantsNearestIntTest {

    @Test
    void equalsRintOnEveryHalfAndItsNeighboursUpTo1024() {
        for (int k = -2048; k <= 2048; k++) {
            float half = k / 2f;
            for (float f : new float[] {half, Math.nextDown(half), Math.nextUp(half)}) {
                assertEquals((int) Math.rint(f), KQuants.nearestInt(f), "nearestInt(" + f + ")");
            }
        }
    }

    @Test
    void equalsRintOnSeededValuesAcrossTheAssertedRange() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int i = 0; i < 200_000; i++) {
            float f = (float) ((rnd.nextDouble() * 2 - 1) * Math.scalb(1.0, rnd.nextInt(-30, 23)));
            if (Math.abs(f) <= 4194303f) {
                assertEquals((int) Math.rint(f), KQuants.nearestInt(f), "nearestInt(" + f + ")");
            }
        }
        assertEquals(4194303, KQuants.nearestInt(4194303f));
        assertEquals(-4194303, KQuants.nearestInt(-4194303f));
        assertEquals(0, KQuants.nearestInt(Float.MIN_VALUE));
        assertEquals(0, KQuants.nearestInt(-0f));
    }

    @Test
    void wrapsAsGgmlDoesJustOutsideTheAssertedRange() {
        // 4194304 + 1.5·2²³ = 2²⁴, whose mantissa bits are zero: ggml's release build yields −2²²
        assertEquals(-4194304, KQuants.nearestInt(4194304f));
    }

    @Test
    void givesWhatGgmlsBitTrickGivesForInfinitiesAndNaN() {
        // x·id where id = 1/d overflowed: +∞ and −∞ leave zero mantissa bits, 0·∞'s NaN (0xffc00000) 0x400000
        assertEquals(-4194304, KQuants.nearestInt(Float.POSITIVE_INFINITY));
        assertEquals(-4194304, KQuants.nearestInt(Float.NEGATIVE_INFINITY));
        assertEquals(0, KQuants.nearestInt(0f * Float.POSITIVE_INFINITY));
    }

    @Test
    void cvttConvertsAsX86DoesNotAsJavaSaturates() {
        assertEquals(Integer.MIN_VALUE, KQuants.cvtt(Float.POSITIVE_INFINITY));
        assertEquals(Integer.MIN_VALUE, KQuants.cvtt(Float.NEGATIVE_INFINITY));
        assertEquals(Integer.MIN_VALUE, KQuants.cvtt(Float.NaN));
        assertEquals(Integer.MIN_VALUE, KQuants.cvtt(2147483648f));
        assertEquals(Integer.MIN_VALUE, KQuants.cvtt(-2147483648f));
        assertEquals(Integer.MIN_VALUE, KQuants.cvtt(-3e9f));
        assertEquals(2147483520, KQuants.cvtt(Math.nextDown(2147483648f)));
        assertEquals(-2147483520, KQuants.cvtt(-Math.nextDown(2147483648f)));
        for (float f : new float[] {0f, -0f, 0.99f, -0.99f, 15.5f, -15.5f, 1e-39f, 8388607.5f}) {
            assertEquals((int) f, KQuants.cvtt(f), "cvtt(" + f + ")");
        }
        assertEquals(Integer.MIN_VALUE, KQuants.cvtt(Double.NaN));
        assertEquals(Integer.MIN_VALUE, KQuants.cvtt(Double.POSITIVE_INFINITY));
        assertEquals(Integer.MIN_VALUE, KQuants.cvtt(2147483648.0));
        assertEquals(Integer.MIN_VALUE, KQuants.cvtt(Double.NEGATIVE_INFINITY));
        assertEquals(2147483647, KQuants.cvtt(2147483647.9));
        assertEquals(-7, KQuants.cvtt(-7.9));
        // roundf's result goes through the same conversion: the low byte of INT_MIN is what ggml stores
        assertEquals(Integer.MIN_VALUE, KQuants.roundf(Float.POSITIVE_INFINITY));
        assertEquals(Integer.MIN_VALUE, KQuants.roundf(Float.NaN));
        assertEquals(-128, KQuants.roundf(-127.5f));
        assertEquals(3, KQuants.roundf(2.5f));
        assertEquals(0, KQuants.roundf(0.49999997f));
    }
}

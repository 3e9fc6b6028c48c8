package io.quantsweep.quant.numeric;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class Bf16Test {

    @Test
    void everyBf16RoundTripsThroughFloat() {
        for (int h = 0; h < 0x10000; h++) {
            float f = Bf16.toFloat((short) h);
            int back = Bf16.fromFloat(f) & 0xFFFF;
            assertEquals(Float.isNaN(f) ? h | 0x40 : h, back, "bf16 0x" + Integer.toHexString(h));
        }
    }

    @Test
    void roundsToNearestEvenAndQuietsNaN() {
        assertEquals(0x3F80, Bf16.fromFloat(Float.intBitsToFloat(0x3F808000)) & 0xFFFF, "tie to even (down)");
        assertEquals(0x3F82, Bf16.fromFloat(Float.intBitsToFloat(0x3F818000)) & 0xFFFF, "tie to even (up)");
        assertEquals(0x3F81, Bf16.fromFloat(Float.intBitsToFloat(0x3F808001)) & 0xFFFF, "above the tie rounds up");
        assertEquals(0x7F80, Bf16.fromFloat(Float.MAX_VALUE) & 0xFFFF, "overflows to infinity");
        assertEquals(0x7FC1, Bf16.fromFloat(Float.intBitsToFloat(0x7F810000)) & 0xFFFF, "signalling NaN forced quiet");
        assertEquals(0x0001, Bf16.fromFloat(Float.intBitsToFloat(0x00010000)) & 0xFFFF, "subnormals kept");
        assertTrue(Float.isNaN(Bf16.toFloat((short) 0x7FC1)));
    }

    @Test
    void roundsArraysInPlaceOrIntoAnother() {
        float[] x = {Float.intBitsToFloat(0x3F808000), Float.intBitsToFloat(0x3F818000), -0f, 1e-40f, 3f};
        float[] out = new float[x.length + 1];
        Bf16.round(x, 1, out, 0, 3);
        assertEquals(Float.intBitsToFloat(0x3F820000), out[0]);
        assertEquals(0x80000000, Float.floatToRawIntBits(out[1]), "negative zero keeps its sign");
        assertEquals(Bf16.toFloat(Bf16.fromFloat(1e-40f)), out[2]);
        assertEquals(0f, out[3], "only n values are written");
        Bf16.round(x, 0, x, 0, x.length);
        assertEquals(1f, x[0], "in place");
        assertEquals(3f, x[4]);
    }

    /** Every high half with the low halves around the rounding point, at an offset that leaves a ragged end. */
    @Test
    void arraysRoundAsEachValueDoes() {
        int[] lows = {0x0000, 0x0001, 0x7FFF, 0x8000, 0x8001, 0xFFFF, 0x1234};
        float[] x = new float[3 + 0x10000 * lows.length];
        for (int h = 0; h < 0x10000; h++) {
            for (int l = 0; l < lows.length; l++) {
                x[3 + h * lows.length + l] = Float.intBitsToFloat(h << 16 | lows[l]);
            }
        }
        float[] out = new float[x.length - 1];
        Bf16.round(x, 3, out, 1, x.length - 3);
        for (int i = 3; i < x.length; i++) {
            int bits = Float.floatToRawIntBits(x[i]);
            assertEquals(Bf16.fromFloat(x[i]) << 16, Float.floatToRawIntBits(out[i - 2]), () -> "0x" + Integer.toHexString(bits));
        }
    }
}

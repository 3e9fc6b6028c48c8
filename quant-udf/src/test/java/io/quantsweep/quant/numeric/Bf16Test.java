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
}

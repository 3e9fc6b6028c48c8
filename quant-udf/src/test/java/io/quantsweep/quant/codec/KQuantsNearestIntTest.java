package io.quantsweep.quant.codec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** ggml's {@code nearest_int} trick against round half to even over the range ggml asserts. */
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
}

package io.quantsweep.quant.numeric;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class Fp8E4M3Test {

    @Test
    void decodesAll256Codes() {
        int nans = 0;
        for (int code = 0; code < 256; code++) {
            float v = Fp8E4M3.toFloat((byte) code);
            if (Float.isNaN(v)) {
                nans++;
                assertEquals(0x7F, code & 0x7F, "only S.1111.111 is NaN");
                continue;
            }
            assertTrue(Float.isFinite(v), "E4M3fn has no infinity");
            int exp = (code >>> 3) & 0xF;
            int mant = code & 7;
            double expected = exp == 0 ? mant * Math.pow(2, -9) : (1 + mant / 8.0) * Math.pow(2, exp - 7);
            assertEquals((code & 0x80) != 0 ? -expected : expected, v, 0.0, "code " + code);
            assertEquals(code, Fp8E4M3.fromFloat(v) & 0xFF, "encode(decode(code)) for code " + code);
        }
        assertEquals(2, nans);
        assertEquals(448f, Fp8E4M3.toFloat((byte) 0x7E));
        assertEquals(-448f, Fp8E4M3.toFloat((byte) 0xFE));
        assertEquals(1f, Fp8E4M3.toFloat((byte) 0x38));
        assertEquals(0x1.0p-9f, Fp8E4M3.toFloat((byte) 0x01));
        assertEquals(0x1.0p-6f, Fp8E4M3.toFloat((byte) 0x08));
    }

    @Test
    void encodesWithTiesToEvenAndSaturation() {
        assertEquals(0x7E, Fp8E4M3.fromFloat(1e6) & 0xFF, "saturates at 448");
        assertEquals(0xFE, Fp8E4M3.fromFloat(-500) & 0xFF);
        assertEquals(0x38, Fp8E4M3.fromFloat(1.0625) & 0xFF, "1 + 1/16 is a tie: to even (1.0)");
        assertEquals(0x3A, Fp8E4M3.fromFloat(1.1875) & 0xFF, "1 + 3/16 is a tie: to even (1.25)");
        assertEquals(0x00, Fp8E4M3.fromFloat(0x1.0p-10) & 0xFF, "half the smallest subnormal ties to zero");
        assertEquals(0x80, Fp8E4M3.fromFloat(-0.0) & 0xFF);
        assertEquals(0x7F, Fp8E4M3.fromFloat(Double.NaN) & 0xFF);
    }
}

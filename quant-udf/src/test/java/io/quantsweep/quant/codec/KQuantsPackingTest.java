package io.quantsweep.quant.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** The K-quant bit packers against their readers, over seeded levels that fill every bit. */
class KQuantsPackingTest {

    @Test
    void scaleMinK4RoundTripsEverySixBitValue() {
        Random rnd = new Random(42);
        for (int trial = 0; trial < 200; trial++) {
            byte[] ls = new byte[8];
            byte[] lm = new byte[8];
            for (int j = 0; j < 8; j++) {
                ls[j] = (byte) (trial < 64 ? (trial + j) & 63 : rnd.nextInt(64));
                lm[j] = (byte) (trial < 64 ? (63 - trial + 5 * j) & 63 : rnd.nextInt(64));
            }
            byte[] packed = new byte[3 + 12];
            KQuants.packScalesK4(ls, lm, packed, 3);
            for (int j = 0; j < 8; j++) {
                assertEquals(ls[j], KQuants.scaleK4(packed, 3, j), "scale " + j + " of trial " + trial);
                assertEquals(lm[j], KQuants.minK4(packed, 3, j), "min " + j + " of trial " + trial);
            }
        }
    }

    @Test
    void pack2PlacesElementEAtBits2sOfByte32hPlusLAndUnpack2ReadsItBack() {
        Random rnd = new Random(7);
        byte[] levels = new byte[256];
        for (int e = 0; e < 256; e++) {
            levels[e] = (byte) rnd.nextInt(4);
        }
        byte[] qs = new byte[1 + 64];
        KQuants.pack2(levels, 0, qs, 1);
        for (int e = 0; e < 256; e++) {
            int h = e / 128;
            int s = e % 128 / 32;
            int l = e % 32;
            assertEquals(levels[e], (qs[1 + 32 * h + l] >> 2 * s) & 3, "element " + e);
        }
        byte[] unpacked = new byte[256];
        KQuants.unpack2(qs, 1, unpacked);
        assertArrayEquals(levels, unpacked, "unpack2 inverts pack2");
    }

    @Test
    void q5kLevelsRoundTripThroughNibblesAndHighBits() {
        Random rnd = new Random(11);
        byte[] levels = new byte[256];
        for (int e = 0; e < 256; e++) {
            levels[e] = (byte) rnd.nextInt(32);
        }
        Q5_KCodec codec = new Q5_KCodec();
        byte[] block = new byte[176];
        codec.packLevels(levels, 0, block, 0);
        byte[] back = new byte[256];
        codec.unpackLevels(block, 0, back);
        for (int e = 0; e < 256; e++) {
            assertEquals(levels[e], back[e], "element " + e);
            int hbit = (block[16 + e % 32] >> (e / 32)) & 1;
            int qs = block[48 + 32 * (e / 64) + e % 32];
            int nibble = e % 64 < 32 ? qs & 15 : (qs >> 4) & 15;
            assertEquals(levels[e], nibble + 16 * hbit, "layout of element " + e);
        }
    }
}

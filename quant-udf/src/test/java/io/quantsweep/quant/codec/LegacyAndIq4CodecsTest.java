package io.quantsweep.quant.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quantsweep.quant.Codec;
import io.quantsweep.quant.Codecs;
import io.quantsweep.quant.GgmlType;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Edge cases of Q4_0, Q4_1, Q5_0, Q5_1, IQ4_NL and IQ4_XS that the golden vectors (whole rows of one
 * kind) do not isolate: an all-zero block inside a non-zero row, on both quantizer paths; the sign rule
 * of the scale; {@code best_index_int8}'s boundaries; and the row offsets of the codec interface.
 */
class LegacyAndIq4CodecsTest {

    static Stream<Arguments> zeroBlockBytes() {
        String q4 = "88".repeat(16);
        return Stream.of(
                // The reference scale is max/−8 with max = +0, so d = −0.0 (0x8000) and every level is 8.
                Arguments.of(GgmlType.Q4_0, false, "0080" + q4),
                // make_qx_quants returns 0 with all levels 0 for a group below GROUP_MAX_EPS.
                Arguments.of(GgmlType.Q4_0, true, "0000" + "00".repeat(16)),
                Arguments.of(GgmlType.Q5_0, false, "0080" + "ffffffff" + "00".repeat(16)),
                Arguments.of(GgmlType.Q5_0, true, "0000" + "00000000" + "00".repeat(16)),
                Arguments.of(GgmlType.Q4_1, false, "00".repeat(20)),
                Arguments.of(GgmlType.Q4_1, true, "00".repeat(20)),
                Arguments.of(GgmlType.Q5_1, false, "00".repeat(24)),
                Arguments.of(GgmlType.Q5_1, true, "00".repeat(24)),
                // The final index pass maps 0 to level 8 (1 is nearer than −10).
                Arguments.of(GgmlType.IQ4_NL, false, "0000" + q4),
                Arguments.of(GgmlType.IQ4_NL, true, "0000" + q4),
                // d = −max_scale/32 = −0.0; every sub-scale is 0 + 32, i.e. high bits 2 in each scales_h pair.
                Arguments.of(GgmlType.IQ4_XS, false, "0080" + "aaaa" + "00000000" + "88".repeat(128)),
                Arguments.of(GgmlType.IQ4_XS, true, "0080" + "aaaa" + "00000000" + "88".repeat(128)));
    }

    @ParameterizedTest(name = "{0} importance={1}")
    @MethodSource("zeroBlockBytes")
    void allZeroBlockInANonZeroRowStoresGgmlsBytes(GgmlType type, boolean withImportance, String expectedHex) {
        int block = type.blockSize();
        float[] row = new float[2 * block];
        System.arraycopy(gaussian(block, 11), 0, row, 0, block);
        float[] importance = withImportance ? positiveWeights(2 * block, 12) : null;

        byte[] bytes = Codecs.quantize(type, row, row.length, importance);

        byte[] zeroBlock = Arrays.copyOfRange(bytes, type.blockBytes(), 2 * type.blockBytes());
        assertEquals(expectedHex, HexFormat.of().formatHex(zeroBlock));
        float[] decoded = Codecs.dequantize(type, zeroBlock, block);
        for (float v : decoded) {
            assertEquals(0f, Math.abs(v), "a zero block decodes to zeros");
        }
    }

    @Test
    void referenceScaleTakesTheSignOfTheFirstLargestMagnitude() {
        float[] negativeFirst = new float[32];
        negativeFirst[3] = -1f;
        negativeFirst[9] = 1f;
        float[] positiveFirst = new float[32];
        positiveFirst[3] = 1f;
        positiveFirst[9] = -1f;

        // d = max/−8: the earlier −1 gives +0.125 (0x3000), the earlier +1 gives −0.125 (0xB000).
        assertEquals("0030", HexFormat.of().formatHex(Codecs.quantize(GgmlType.Q4_0, negativeFirst, 32, null), 0, 2));
        assertEquals("00b0", HexFormat.of().formatHex(Codecs.quantize(GgmlType.Q4_0, positiveFirst, 32, null), 0, 2));
        // With d = +0.125, −1 is level 0 and +1 would be 16, which the reference clamps to 15.
        float[] decoded = Codecs.dequantize(GgmlType.Q4_0, Codecs.quantize(GgmlType.Q4_0, negativeFirst, 32, null), 32);
        assertEquals(-1f, decoded[3]);
        assertEquals(0.875f, decoded[9]);
    }

    @Test
    void bestIndexInt8ClampsAtTheEndsAndBreaksTiesUpward() {
        byte[] k = KQuants.KVALUES_IQ4NL;
        assertEquals(0, KQuants.bestIndexInt8(16, k, -1000f));
        assertEquals(0, KQuants.bestIndexInt8(16, k, -127f));
        assertEquals(15, KQuants.bestIndexInt8(16, k, 113f));
        assertEquals(15, KQuants.bestIndexInt8(16, k, 1000f));
        assertEquals(8, KQuants.bestIndexInt8(16, k, -4.5f), "midway between −10 and 1 goes to the upper level");
        assertEquals(7, KQuants.bestIndexInt8(16, k, -4.51f));
        assertEquals(14, KQuants.bestIndexInt8(16, k, 79f), "midway between 69 and 89");
        assertEquals(13, KQuants.bestIndexInt8(16, k, 78.99f));
    }

    @ParameterizedTest
    @EnumSource(names = {"Q4_0", "Q4_1", "Q5_0", "Q5_1", "IQ4_NL", "IQ4_XS"})
    void rowOffsetsAreHonouredAndNothingOutsideTheRowIsTouched(GgmlType type) {
        Codec codec = Codecs.of(type);
        int n = 2 * type.blockSize();
        int rowBytes = Math.toIntExact(type.bytesFor(n));
        float[] row = gaussian(n, 21);
        float[] importance = positiveWeights(n, 22);
        for (float[] w : new float[][] {null, importance}) {
            byte[] atZero = new byte[rowBytes];
            codec.quantizeRow(row, 0, n, w, atZero, 0);

            float[] shifted = new float[n + 10];
            System.arraycopy(row, 0, shifted, 7, n);
            byte[] dst = new byte[rowBytes + 8];
            Arrays.fill(dst, (byte) 0x5A);
            codec.quantizeRow(shifted, 7, n, w, dst, 5);

            assertArrayEquals(atZero, Arrays.copyOfRange(dst, 5, 5 + rowBytes));
            String outside = HexFormat.of().formatHex(dst, 0, 5) + HexFormat.of().formatHex(dst, 5 + rowBytes, dst.length);
            assertEquals("5a".repeat(8), outside);

            float[] y = new float[n + 4];
            codec.dequantizeRow(dst, 5, n, y, 3);
            assertArrayEquals(Codecs.dequantize(type, atZero, n), Arrays.copyOfRange(y, 3, 3 + n));
        }
    }

    private static float[] gaussian(int n, long seed) {
        Random random = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) random.nextGaussian();
        }
        return x;
    }

    private static float[] positiveWeights(int n, long seed) {
        Random random = new Random(seed);
        float[] w = new float[n];
        for (int i = 0; i < n; i++) {
            w[i] = 0.1f + random.nextFloat();
        }
        return w;
    }
}

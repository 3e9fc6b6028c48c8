package io.quantsweep.quant.numeric;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Block-scaled FP8: decoded slabs against the formula evaluated element by element, for slabs that start
 * and end inside blocks of a weight whose last block row and column are partial (300 × 200 in 128 × 128
 * blocks), and block rows encoded and decoded back. Reading through a checkpoint is tested in jobs
 * ({@code Fp8CheckpointTest}).
 */
class Fp8BlockScalingTest {
    private static final int ROWS = 300;
    private static final int COLS = 200;
    private static final Fp8BlockScaling BLOCKS = Fp8BlockScaling.DEEPSEEK_V3;

    @Test
    void slabsMatchTheFormulaAcrossPartialBlocks() {
        Random random = new Random(200);
        byte[] codes = new byte[ROWS * COLS];
        random.nextBytes(codes);
        float[] scale = new float[3 * 2];
        for (int i = 0; i < scale.length; i++) {
            scale[i] = (float) Math.scalb(1.0 + random.nextFloat(), -random.nextInt(12));
        }
        for (int[] slab : new int[][] {{0, 300}, {127, 129}, {200, 300}, {299, 300}, {5, 5}}) {
            int r0 = slab[0];
            int rows = slab[1] - r0;
            // the scale rows start at the slab's first block row, as a reader hands them over
            float[] slabScale = Arrays.copyOfRange(scale, r0 / 128 * 2, scale.length);
            float[] got = new float[2 + rows * COLS];
            BLOCKS.dequantizeRows(codes, r0 * COLS, r0, rows, COLS, slabScale, 2, got, 2);
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < COLS; j++) {
                    int r = r0 + i;
                    float expected = Fp8E4M3.toFloat(codes[r * COLS + j]) * scale[r / 128 * 2 + j / 128];
                    assertEquals(Float.floatToIntBits(expected), Float.floatToIntBits(got[2 + i * COLS + j]),
                            "row " + r + ", column " + j);
                }
            }
        }
    }

    @Test
    void everyCodeTimesScalesOfEveryKindIsTheFormulaBitForBit() {
        // one block over the whole row, so the Vector API path runs over all of it up to a ragged end;
        // each code at several positions of a vector (NaN codes, subnormal codes, both zeros included)
        Fp8BlockScaling wide = new Fp8BlockScaling(1, 4096);
        int cols = 3 * 256 + 5;
        byte[] codes = new byte[cols];
        for (int j = 0; j < cols; j++) {
            codes[j] = (byte) (j * 5 + j / 256);
        }
        for (float s : new float[] {1f, 0x1.0p-20f, 3.7e-5f, 1e30f, Float.MIN_VALUE, -2.5f, 0f, -0f}) {
            float[] got = new float[cols];
            wide.dequantizeRows(codes, 0, 0, 1, cols, new float[] {s}, 1, got, 0);
            for (int j = 0; j < cols; j++) {
                float expected = Fp8E4M3.toFloat(codes[j]) * s;
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(got[j]),
                        "code 0x%02x times %s".formatted(codes[j] & 0xFF, s));
            }
        }
    }

    @Test
    void blockRowsEncodeToTheirLargestMagnitudeAndDecodeBack() {
        Random random = new Random(201);
        int rows = 100;
        float[] x = new float[rows * COLS];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (0.02 * random.nextGaussian());
        }
        for (int r = 0; r < rows; r++) {
            for (int j = 128; j < COLS; j++) {
                x[r * COLS + j] = 0;            // the second block column is all zeros
            }
        }
        byte[] codes = new byte[3 + x.length];
        float[] scale = new float[1 + 2];
        BLOCKS.quantizeBlockRow(x, 0, rows, COLS, codes, 3, scale, 1);
        assertEquals(1f, scale[2], "an all-zero block keeps scale 1");
        float[] back = new float[x.length];
        BLOCKS.dequantizeRows(codes, 3, 0, rows, COLS, Arrays.copyOfRange(scale, 1, 3), 2, back, 0);
        float amax = 0;
        for (int r = 0; r < rows; r++) {
            for (int j = 0; j < 128; j++) {
                amax = Math.max(amax, Math.abs(x[r * COLS + j]));
            }
        }
        assertEquals(amax / Fp8E4M3.MAX, scale[1]);
        int largest = 0;
        for (int i = 0; i < x.length; i++) {
            float tolerance = Math.max(Math.abs(x[i]) / 16, scale[1] * 0x1.0p-10f);
            assertTrue(Math.abs(back[i] - x[i]) <= tolerance, "value " + i + ": " + x[i] + " came back as " + back[i]);
            largest += (codes[3 + i] & 0x7F) == 0x7E ? 1 : 0;
        }
        assertTrue(largest >= 1, "the largest magnitude is coded as 448");
        assertThrows(IllegalArgumentException.class,
                () -> BLOCKS.quantizeBlockRow(new float[129 * COLS], 0, 129, COLS, new byte[129 * COLS], 0, scale, 0));

        // a block whose largest magnitude over 448 underflows: scale 1 as for zeros, not 0 (0/0 would be NaN)
        float[] tiny = new float[COLS];
        tiny[0] = 1e-43f;
        BLOCKS.quantizeBlockRow(tiny, 0, 1, COLS, codes, 0, scale, 0);
        assertEquals(1f, scale[0]);
        BLOCKS.dequantizeRows(codes, 0, 0, 1, COLS, scale, 2, back, 0);
        for (int j = 0; j < COLS; j++) {
            assertEquals(0f, back[j], "value " + j);
        }
    }

    @Test
    void scaleShapeCountsPartialBlocks() {
        assertEquals(List.of(5L, 56L), BLOCKS.scaleShape(576, 7168));
        assertEquals(List.of(256L, 4L), BLOCKS.scaleShape(32768, 512));
        assertEquals(3L, BLOCKS.blockRowEnd(300));
        assertEquals("x.weight_scale_inv", Fp8BlockScaling.scaleName("x.weight"));
        assertThrows(IllegalArgumentException.class, () -> new Fp8BlockScaling(0, 128));
    }
}

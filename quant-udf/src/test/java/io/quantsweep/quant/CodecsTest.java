package io.quantsweep.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CodecsTest {

    @Test
    void typeTablePinsGgmlSizes() {
        // ggml's struct sizes (ggml-common.h static_asserts), by id
        int[][] expected = {{0, 1, 4}, {1, 1, 2}, {2, 32, 18}, {3, 32, 20}, {6, 32, 22}, {7, 32, 24}, {8, 32, 34},
            {10, 256, 84}, {11, 256, 110}, {12, 256, 144}, {13, 256, 176}, {14, 256, 210}, {20, 32, 18},
            {23, 256, 136}, {30, 1, 2}};
        for (int[] row : expected) {
            GgmlType t = GgmlType.fromId(row[0]);
            assertEquals(row[1], t.blockSize(), t + " block size");
            assertEquals(row[2], t.blockBytes(), t + " block bytes");
        }
        assertEquals(GgmlType.Q4_K, GgmlType.parse("q4_K"));
        assertThrows(IllegalArgumentException.class, () -> GgmlType.fromId(4), "removed id");
        assertThrows(IllegalArgumentException.class, () -> GgmlType.fromId(99));
    }

    @Test
    void refusesRowLengthNotAMultipleOfTheBlock() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Codecs.quantize(GgmlType.Q8_0, new float[40], 40, null));
        assertTrue(e.getMessage().contains("row length 40"), e.getMessage());
    }

    @Test
    void refusesPartialRows() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Codecs.quantize(GgmlType.Q8_0, new float[96], 64, null));
        assertTrue(e.getMessage().contains("whole rows"), e.getMessage());
    }

    @Test
    void namesTheRowAndColumnOfANonFiniteValue() {
        float[] x = new float[128];
        x[64 + 5] = Float.NaN;
        var e = assertThrows(IllegalArgumentException.class, () -> Codecs.quantize(GgmlType.Q8_0, x, 64, null));
        assertTrue(e.getMessage().contains("row 1, column 5"), e.getMessage());
        x[64 + 5] = Float.NEGATIVE_INFINITY;
        assertThrows(IllegalArgumentException.class, () -> Codecs.quantize(GgmlType.F16, x, 64, null));
    }

    @Test
    void firstNonFiniteFindsTheFirstBadValueAtEveryPositionAndOffset() {
        float[] bad = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        for (int n : new int[] {0, 1, 3, 15, 16, 17, 64, 67}) {
            for (int off = 0; off < 3; off++) {
                float[] x = new float[off + n + 2];
                Arrays.fill(x, Float.MAX_VALUE);
                x[off + n] = Float.NaN; // past the range: never reported
                assertEquals(-1, Codecs.firstNonFinite(x, off, n), n + " values from " + off);
                for (int at = 0; at < n; at++) {
                    x[off + at] = bad[at % 3];
                    if (at + 1 < n) {
                        x[off + n - 1] = Float.NaN; // a later one does not hide it
                    }
                    assertEquals(at, Codecs.firstNonFinite(x, off, n), "value " + at + " of " + n + " from " + off);
                    Arrays.fill(x, off, off + n, -Float.MAX_VALUE);
                }
            }
        }
    }

    @Test
    void refusesABadImportanceVector() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> Codecs.quantize(GgmlType.Q8_0, new float[64], 64, new float[32]));
        assertTrue(e.getMessage().contains("32 weights"), e.getMessage());
        float[] negative = new float[64];
        negative[3] = -1f;
        e = assertThrows(IllegalArgumentException.class, () -> Codecs.quantize(GgmlType.Q8_0, new float[64], 64, negative));
        assertTrue(e.getMessage().contains("column 3"), e.getMessage());
    }

    @Test
    void refusesBytesOfTheWrongLength() {
        var e = assertThrows(IllegalArgumentException.class, () -> Codecs.dequantize(GgmlType.Q8_0, new byte[35], 32));
        assertTrue(e.getMessage().contains("need 34 bytes, got 35"), e.getMessage());
    }

    @Test
    void refusesATypeWithoutACodec() {
        var e = assertThrows(IllegalArgumentException.class, () -> Codecs.of(GgmlType.IQ2_XXS));
        assertTrue(e.getMessage().contains("IQ2_XXS"), e.getMessage());
    }

    @Test
    void everyCodecGivesTheSameBytesFromManyThreads() throws Exception {
        float[] rows = Golden.input("c1_normal");
        float[] importance = Golden.importance("c1_normal");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (GgmlType type : Codecs.supported()) {
                byte[] expected = Codecs.quantize(type, rows, 2048, importance);
                List<Future<byte[]>> runs = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    runs.add(pool.submit(() -> Codecs.quantize(type, rows, 2048, importance)));
                }
                for (Future<byte[]> run : runs) {
                    assertTrue(Arrays.equals(expected, run.get()), type + " differs across threads");
                }
            }
        } finally {
            pool.shutdown();
        }
    }
}

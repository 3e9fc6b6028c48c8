package io.quantsweep.format.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quantsweep.quant.LittleEndian;
import io.quantsweep.quant.numeric.Fp8E4M3;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.hadoop.fs.FileSystem;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FP8 block dequantization of a 576×300 weight (kv_a_proj_with_mqa's 576 rows: 5 block rows, the last
 * of 64; 300 columns: 3 block columns, the last of 44), its scale in another shard, against the formula
 * evaluated directly.
 */
class Fp8CheckpointTest {
    private static final int ROWS = 576;
    private static final int COLS = 300;

    private final FileSystem fs = LocalFiles.fs();
    private final byte[] codes = LocalFiles.randomBytes(576, ROWS * COLS);
    private final float[] scale = new float[5 * 3];

    @TempDir
    java.nio.file.Path dir;

    @BeforeEach
    void writeCheckpoint() throws IOException {
        Random random = new Random(300);
        for (int i = 0; i < scale.length; i++) {
            scale[i] = (float) Math.scalb(1.0 + random.nextFloat(), -random.nextInt(12));
        }
        codes[0] = 0x38;                       // 1.0
        codes[ROWS * COLS - 1] = 0x7E;         // 448, in the partial corner block
        scale[0] = 0.25f;
        scale[14] = 3f;
        Map<String, SafetensorsWriter> shards = new LinkedHashMap<>();
        shards.put("w.safetensors", new SafetensorsWriter()
                .add("kv_a.weight", SafetensorsDtype.F8_E4M3, List.of((long) ROWS, (long) COLS), codes));
        shards.put("s.safetensors", new SafetensorsWriter()
                .add("kv_a.weight_scale_inv", SafetensorsDtype.F32, List.of(5L, 3L), LittleEndian.toBytes(scale)));
        for (Map.Entry<String, SafetensorsWriter> s : shards.entrySet()) {
            s.getValue().write(fs, LocalFiles.path(dir.resolve(s.getKey())));
        }
        SafetensorsIndex.of(shards).write(fs, LocalFiles.path(dir.resolve(SafetensorsIndex.FILE_NAME)));
    }

    private float[] direct() {
        float[] w = new float[ROWS * COLS];
        for (int i = 0; i < ROWS; i++) {
            for (int j = 0; j < COLS; j++) {
                w[i * COLS + j] = Fp8E4M3.toFloat(codes[i * COLS + j]) * scale[(i / 128) * 3 + j / 128];
            }
        }
        return w;
    }

    @Test
    void wholeTensorMatchesTheFormula() throws IOException {
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(fs, LocalFiles.path(dir))) {
            float[] got = c.readFloatRows("kv_a.weight", 0, ROWS);
            assertBitsEqual(direct(), got);
            assertEquals(0.25f, got[0]);
            assertEquals(1344f, got[ROWS * COLS - 1]);
        }
    }

    @Test
    void rowSlabsMatchTheFormulaAcrossBlockEdges() throws IOException {
        float[] expected = direct();
        long[][] slabs = {{0, 1}, {127, 129}, {128, 256}, {300, 513}, {511, 576}, {575, 576}, {200, 200}};
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(fs, LocalFiles.path(dir))) {
            for (long[] s : slabs) {
                float[] got = c.readFloatRows("kv_a.weight", s[0], s[1]);
                assertBitsEqual(Arrays.copyOfRange(expected, (int) s[0] * COLS, (int) s[1] * COLS), got);
            }
        }
    }

    /** Bitwise, except that any NaN equals any NaN (codes 0x7F and 0xFF decode to NaN). */
    private static void assertBitsEqual(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToIntBits(expected[i]), Float.floatToIntBits(actual[i]), "element " + i);
        }
    }
}

package io.quantsweep.raw;

import static io.quantsweep.quant.Golden.COLS;
import static io.quantsweep.quant.Golden.ROWS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quantsweep.quant.Golden;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.LittleEndian;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Files of golden rows through {@link RawRowCodec}, in slabs that do and do not divide the 4 rows. */
class RawRowCodecTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0} rows a slab")
    @ValueSource(ints = {1, 3, 4, 64})
    void quantizesAndDecodesAsGgmlWhateverTheSlab(int slabRows) throws IOException {
        RawRowCodec codec = new RawRowCodec(GgmlType.Q8_0, COLS, slabRows);
        Path in = Golden.copy("c1_normal.f32", dir);

        assertEquals(ROWS, codec.quantize(in, null, dir.resolve("q.bin")));
        assertArrayEquals(Golden.bytes("c1_normal.Q8_0.bin"), Files.readAllBytes(dir.resolve("q.bin")));

        assertEquals(ROWS, codec.dequantize(dir.resolve("q.bin"), dir.resolve("deq.f32")));
        assertArrayEquals(Golden.bytes("c1_normal.Q8_0.deq.f32"), Files.readAllBytes(dir.resolve("deq.f32")));
    }

    @Test
    void readsTheImportanceVectorAndChecksItsLength() throws IOException {
        RawRowCodec codec = RawRowCodec.of(GgmlType.F16, COLS);
        Path imatrix = Golden.copy("c1_normal.imatrix.f32", dir);
        assertArrayEquals(Golden.floats("c1_normal.imatrix.f32"), codec.readImportance(imatrix));

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RawRowCodec.of(GgmlType.F16, 1024).readImportance(imatrix));
        assertEquals(imatrix + ": 8192 bytes, expected 4096 (one float32 weight for each of the 1024 columns)",
                e.getMessage());
    }

    @Test
    void refusesANonFiniteValueWithItsFilePositionAndWritesNothing() throws IOException {
        float[] x = Golden.floats("c1_normal.f32");
        x[3 * COLS + 17] = Float.NaN;
        Path in = Files.write(dir.resolve("nan.f32"), LittleEndian.toBytes(x));
        RawRowCodec codec = new RawRowCodec(GgmlType.Q8_0, COLS, 2);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> codec.quantize(in, null, dir.resolve("q.bin")));
        assertEquals(in + ": value NaN at row 3, column 17 (byte offset " + 4 * (3 * COLS + 17) + ") is not finite",
                e.getMessage());
        assertEquals(List.of(in), files());
    }

    @Test
    void refusesFilesThatAreNotWholeRows() throws IOException {
        Path in = Files.write(dir.resolve("short.bin"), new byte[2 * 2176 - 34]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RawRowCodec.of(GgmlType.Q8_0, COLS).dequantize(in, dir.resolve("deq.f32")));
        assertEquals(in + ": 4318 bytes are not whole rows of 2048 Q8_0 values (2176 bytes each): 2142 bytes left over",
                e.getMessage());
    }

    @Test
    void anEmptyFileIsZeroRows() throws IOException {
        Path in = Files.write(dir.resolve("empty.f32"), new byte[0]);
        assertEquals(0, RawRowCodec.of(GgmlType.Q8_0, COLS).quantize(in, null, dir.resolve("q.bin")));
        assertEquals(0, Files.size(dir.resolve("q.bin")));
    }

    @Test
    void refusesRowLengthsAndTypesThatCannotWork() {
        assertThrows(IllegalArgumentException.class, () -> RawRowCodec.of(GgmlType.Q8_0, 100));
        assertThrows(IllegalArgumentException.class, () -> RawRowCodec.of(GgmlType.Q8_0, 0));
        // Q8_K is ggml's runtime-only type: it never gets a codec
        assertThrows(IllegalArgumentException.class, () -> RawRowCodec.of(GgmlType.Q8_K, 256));
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        }
    }
}

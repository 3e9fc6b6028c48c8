package io.quantsweep.quant.sql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.quant.Golden;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import scala.collection.Seq;
import scala.jdk.javaapi.CollectionConverters;

/** The SQL functions' bodies as plain Java, on the first golden row; the Spark session test is in jobs. */
class QuantSweepFunctionsTest {
    private static final int COLS = 2048;
    private static final float[] ROW = Arrays.copyOf(Golden.input("c1_normal"), COLS);

    private static Seq<?> seq(List<?> values) {
        return CollectionConverters.asScala(values);
    }

    private static Seq<?> seq(float[] values) {
        List<Float> boxed = new ArrayList<>(values.length);
        for (float v : values) {
            boxed.add(v);
        }
        return seq(boxed);
    }

    /** 32 copies of {@code v} (one Q8_0 block), to be spoiled at one index. */
    private static List<Object> oneBlockOf(Object v) {
        return new ArrayList<>(Collections.nCopies(32, v));
    }

    @Test
    void quantizeGivesGgmlBytesWithOrWithoutAnIgnoredImportanceVector() {
        byte[] ggml = Arrays.copyOf(Golden.bytes("c1_normal.Q8_0.bin"), COLS / 32 * 34);
        assertArrayEquals(ggml, QuantSweepFunctions.quantize(seq(ROW), "Q8_0", null));
        assertArrayEquals(ggml, QuantSweepFunctions.quantize(seq(ROW), "q8_0", seq(Golden.importance("c1_normal"))));
    }

    @Test
    void dequantizeAcceptsIntAndBigintLengths() {
        byte[] bytes = Arrays.copyOf(Golden.bytes("c1_normal.F16.bin"), 2 * COLS);
        float[] ggml = Arrays.copyOf(Golden.floats("c1_normal.F16.deq.f32"), COLS);
        assertArrayEquals(ggml, QuantSweepFunctions.dequantize(bytes, "F16", COLS));
        assertArrayEquals(ggml, QuantSweepFunctions.dequantize(bytes, "F16", (long) COLS));
    }

    @Test
    void typeSizeIsTheTypeTablesByteCount() {
        assertEquals(1152L, QuantSweepFunctions.typeSize("Q4_K", 2048L));
        assertEquals(2176L, QuantSweepFunctions.typeSize("Q8_0", 2048));
        assertThrows(IllegalArgumentException.class, () -> QuantSweepFunctions.typeSize("Q4_K", 100L));
    }

    @Test
    void nullInputsGiveNull() {
        assertNull(QuantSweepFunctions.quantize(null, "Q8_0", null));
        assertNull(QuantSweepFunctions.quantize(seq(ROW), null, null));
        assertNull(QuantSweepFunctions.dequantize(null, "Q8_0", 32));
        assertNull(QuantSweepFunctions.dequantize(new byte[34], "Q8_0", null));
        assertNull(QuantSweepFunctions.typeSize(null, 32L));
    }

    @Test
    void refusesElementsThatAreNotFloatsAndNullElementsNamingTheIndex() {
        List<Object> doubles = oneBlockOf(0.5f);
        doubles.set(3, 0.25d);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QuantSweepFunctions.quantize(seq(doubles), "Q8_0", null));
        assertTrue(e.getMessage().contains("element 3 is a Double") && e.getMessage().contains("CAST(row AS ARRAY<FLOAT>)"),
                e.getMessage());

        List<Object> withNull = oneBlockOf(0.5f);
        withNull.set(7, null);
        e = assertThrows(IllegalArgumentException.class,
                () -> QuantSweepFunctions.quantize(seq(ROW), "Q8_0", seq(withNull)));
        assertEquals("ggml_quantize: importance has NULL at index 7", e.getMessage());
    }

    @Test
    void refusesANonIntegralLength() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QuantSweepFunctions.dequantize(new byte[34], "Q8_0", 32.0));
        assertEquals("ggml_dequantize n must be an INT or BIGINT, got a Double", e.getMessage());
    }

    @Test
    void refusesATypeThatIsNotAString() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> QuantSweepFunctions.quantize(seq(ROW), 12, null));
        assertEquals("ggml_quantize type must be a STRING such as 'Q4_K', got a Integer (12)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> QuantSweepFunctions.typeSize(12L, 32));
        assertEquals("ggml_type_size type must be a STRING such as 'Q4_K', got a Long (12)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> QuantSweepFunctions.dequantize(new byte[34], 8, 32));
        assertTrue(e.getMessage().startsWith("ggml_dequantize type must be a STRING"), e.getMessage());
    }

    @Test
    void theFunctionsAreDeterministic() {
        assertTrue(QuantSweepFunctions.QUANTIZE_UDF.deterministic());
        assertTrue(QuantSweepFunctions.DEQUANTIZE_UDF.deterministic());
        assertTrue(QuantSweepFunctions.TYPE_SIZE_UDF.deterministic());
    }
}

package io.quantsweep.spark;

import static io.quantsweep.quant.Golden.COLS;
import static io.quantsweep.quant.Golden.ROWS;
import static io.quantsweep.spark.DatasetAssertions.assertSameRows;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.quant.Golden;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.LittleEndian;
import io.quantsweep.quant.sql.QuantSweepFunctions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The SQL functions in a real session, on golden rows: ggml's bytes out, ggml's floats back. */
@ExtendWith(LocalSpark.class)
class QuantSweepFunctionsSqlTest {
    private static final DataType FLOATS = DataTypes.createArrayType(DataTypes.FloatType);

    @BeforeAll
    static void registerFunctionsAndGoldenViews(SparkSession spark) {
        QuantSweepFunctions.register(spark);
        float[] x = Golden.floats("c1_normal.f32");
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < ROWS; r++) {
            rows.add(RowFactory.create(r, boxed(Arrays.copyOfRange(x, r * COLS, (r + 1) * COLS))));
        }
        spark.createDataFrame(rows, new StructType().add("id", DataTypes.IntegerType).add("row", FLOATS))
                .createOrReplaceTempView("golden");
        spark.createDataFrame(List.of(RowFactory.create((Object) boxed(Golden.floats("c1_normal.imatrix.f32")))),
                new StructType().add("imp", FLOATS)).createOrReplaceTempView("importance");
    }

    private static Float[] boxed(float[] v) {
        Float[] out = new Float[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i];
        }
        return out;
    }

    /** Row {@code r} of a golden file of {@link Golden#ROWS} equal rows. */
    private static byte[] goldenRow(String file, int r) {
        byte[] all = Golden.bytes(file);
        int rowBytes = all.length / ROWS;
        return Arrays.copyOfRange(all, r * rowBytes, (r + 1) * rowBytes);
    }

    /** (id INT, q BINARY): the rows of a golden .bin file. */
    private static Dataset<Row> goldenQuantized(SparkSession spark, String file) {
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < ROWS; r++) {
            rows.add(RowFactory.create(r, goldenRow(file, r)));
        }
        return spark.createDataFrame(rows, new StructType().add("id", DataTypes.IntegerType).add("q", DataTypes.BinaryType));
    }

    /** (id INT, y ARRAY&lt;FLOAT&gt;): the rows of a golden .deq.f32 file. */
    private static Dataset<Row> goldenDecoded(SparkSession spark, String file) {
        List<Row> rows = new ArrayList<>();
        for (int r = 0; r < ROWS; r++) {
            rows.add(RowFactory.create(r, boxed(LittleEndian.toFloats(goldenRow(file, r), 0, COLS))));
        }
        return spark.createDataFrame(rows, new StructType().add("id", DataTypes.IntegerType).add("y", FLOATS));
    }

    // one row per golden file; a new codec gets a row once its golden files are in test resources
    @ParameterizedTest(name = "{0} importance={1}")
    @CsvSource({
        "Q8_0, false, c1_normal.Q8_0.bin, c1_normal.Q8_0.deq.f32",
        "Q8_0, true,  c1_normal.Q8_0.bin, c1_normal.Q8_0.deq.f32",
        "F16,  false, c1_normal.F16.bin,  c1_normal.F16.deq.f32",
    })
    void roundTripsGoldenRows(String type, boolean importance, String bin, String deq, SparkSession spark) {
        Dataset<Row> quantized = spark.sql(importance
                ? "SELECT id, ggml_quantize(row, '%s', imp) AS q FROM golden CROSS JOIN importance ORDER BY id".formatted(type)
                : "SELECT id, ggml_quantize(row, '%s') AS q FROM golden ORDER BY id".formatted(type));
        assertSameRows(goldenQuantized(spark, bin), quantized);

        quantized.createOrReplaceTempView("quantized");
        Dataset<Row> decoded = spark.sql(
                "SELECT id, ggml_dequantize(q, '%s', %d) AS y FROM quantized ORDER BY id".formatted(type, COLS));
        assertSameRows(goldenDecoded(spark, deq), decoded);
    }

    @Test
    void typeSizeIsTheTypeTablesByteCount(SparkSession spark) {
        Row r = spark.sql("SELECT ggml_type_size('Q4_K', 2048) AS a, ggml_type_size('q8_0', CAST(4096 AS BIGINT)) AS b")
                .first();
        assertEquals(List.of(GgmlType.Q4_K.bytesFor(2048), GgmlType.Q8_0.bytesFor(4096)), List.of(r.get(0), r.get(1)));
    }

    @Test
    void returnTypesAreDeclared(SparkSession spark) {
        StructType schema = spark.sql("SELECT ggml_quantize(row, 'Q8_0') AS q, ggml_dequantize(CAST(NULL AS BINARY), 'Q8_0', 32) AS y,"
                + " ggml_type_size('F16', 2) AS n FROM golden").schema();
        assertEquals("struct<q:binary,y:array<float>,n:bigint>", schema.catalogString());
    }

    @Test
    void aNonFiniteValueFailsTheQueryWithTheCodecsMessage(SparkSession spark) {
        Exception e = assertThrows(Exception.class, () -> spark.sql(
                "SELECT ggml_quantize(transform(sequence(1, 32), i -> IF(i = 5, CAST('NaN' AS FLOAT), 0.5F)), 'Q8_0')")
                .collect());
        assertEquals("Q8_0: input value NaN at row 0, column 4 is not finite", rootCause(e).getMessage());
    }

    @Test
    void aNumberForTheTypeFailsTheQueryNamingTheArgument(SparkSession spark) {
        Exception e = assertThrows(Exception.class, () -> spark.sql("SELECT ggml_type_size(12, 32)").collect());
        assertEquals("ggml_type_size type must be a STRING such as 'Q4_K', got a Integer (12)", rootCause(e).getMessage());
    }

    @Test
    void quantizeRefusesOtherArgumentCounts(SparkSession spark) {
        for (String call : List.of("ggml_quantize(row)", "ggml_quantize(row, 'Q8_0', row, row)")) {
            Exception e = assertThrows(Exception.class, () -> spark.sql("SELECT " + call + " FROM golden").collect());
            assertTrue(rootCause(e).getMessage().contains("takes 2 or 3 arguments"), call + ": " + e);
        }
    }

    private static Throwable rootCause(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root;
    }
}

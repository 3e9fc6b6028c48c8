package io.quantsweep.spark;

import static io.quantsweep.spark.DatasetAssertions.assertSameRows;
import static io.quantsweep.spark.DatasetAssertions.assertSameRowsAnyOrder;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.opentest4j.AssertionFailedError;

/** The test session's settings, and the Dataset assertions failing where they must. */
@ExtendWith(LocalSpark.class)
class LocalSparkTest {
    private static final StructType SCHEMA = new StructType()
            .add("id", DataTypes.IntegerType)
            .add("b", DataTypes.BinaryType)
            .add("f", DataTypes.createArrayType(DataTypes.FloatType));

    private static SparkSession first;

    @BeforeAll
    static void keep(SparkSession spark) {
        first = spark;
    }

    private static Dataset<Row> rows(SparkSession spark, Row... rows) {
        return spark.createDataFrame(Arrays.asList(rows), SCHEMA);
    }

    private static Row row(int id, byte[] b, Float... f) {
        return RowFactory.create(id, b, f);
    }

    @Test
    void oneLocalSessionPerClassWithTheTestSettings(SparkSession spark) {
        assertSame(first, spark);
        assertEquals("local[2]", spark.sparkContext().master());
        assertEquals("2", spark.conf().get("spark.sql.shuffle.partitions"));
        assertEquals("false", spark.conf().get("spark.ui.enabled"));
        assertTrue(spark.sparkContext().uiWebUrl().isEmpty());
    }

    @Test
    void equalRowsPassBothAssertions(SparkSession spark) {
        Dataset<Row> a = rows(spark, row(1, new byte[] {1, 2}, 0.5f), row(2, new byte[] {3}, -0.0f));
        Dataset<Row> b = rows(spark, row(1, new byte[] {1, 2}, 0.5f), row(2, new byte[] {3}, -0.0f));
        assertSameRows(a, b);
        assertSameRowsAnyOrder(a, b.orderBy(b.col("id").desc()));
    }

    @Test
    void aDifferentByteFailsNamingTheRowInHex(SparkSession spark) {
        Dataset<Row> expected = rows(spark, row(1, new byte[] {1, 2}, 0.5f), row(2, new byte[] {3}, 1f));
        Dataset<Row> actual = rows(spark, row(1, new byte[] {1, 2}, 0.5f), row(2, new byte[] {4}, 1f));
        AssertionFailedError e = assertThrows(AssertionFailedError.class, () -> assertSameRows(expected, actual));
        assertTrue(e.getMessage().startsWith("row 1 differs at character 7:")
                && e.getMessage().contains("expected (2, x'03', [1.0])") && e.getMessage().contains("actual (2, x'04', [1.0])"),
                e.getMessage());
        e = assertThrows(AssertionFailedError.class, () -> assertSameRowsAnyOrder(expected, actual));
        assertTrue(e.getMessage().startsWith("1 rows missing, 1 unexpected") && e.getMessage().contains("(2, x'03', [1.0])")
                && e.getMessage().contains("(2, x'04', [1.0])"), e.getMessage());
    }

    @Test
    void floatsInArraysCompareByBitsAndOrderAndCountsMatter(SparkSession spark) {
        assertThrows(AssertionFailedError.class,
                () -> assertSameRows(rows(spark, row(1, null, 0.0f)), rows(spark, row(1, null, -0.0f))));
        assertThrows(AssertionFailedError.class,
                () -> assertSameRowsAnyOrder(rows(spark, row(1, null, 0.0f)), rows(spark, row(1, null, -0.0f))));
        assertSameRows(rows(spark, row(1, null, Float.NaN)), rows(spark, row(1, null, Float.NaN)));
        Row a = row(1, null, 1f);
        Row b = row(2, null, 2f);
        assertThrows(AssertionFailedError.class, () -> assertSameRows(rows(spark, a, b), rows(spark, b, a)));
        assertThrows(AssertionFailedError.class, () -> assertSameRowsAnyOrder(rows(spark, a, a, b), rows(spark, a, b, b)));
        assertThrows(AssertionFailedError.class, () -> assertSameRows(rows(spark, a, b), rows(spark, a)));
    }

    @Test
    void schemasCompareByNamesAndTypes(SparkSession spark) {
        Dataset<Row> renamed = rows(spark, row(1, null, 1f)).withColumnRenamed("f", "g");
        assertThrows(AssertionFailedError.class, () -> assertSameRows(rows(spark, row(1, null, 1f)), renamed));
        Dataset<Row> nonNullable = spark.createDataFrame(List.of(row(1, null, 1f)), new StructType()
                .add("id", DataTypes.IntegerType, false)
                .add("b", DataTypes.BinaryType)
                .add("f", DataTypes.createArrayType(DataTypes.FloatType, false)));
        assertSameRows(rows(spark, row(1, null, 1f)), nonNullable);
    }
}

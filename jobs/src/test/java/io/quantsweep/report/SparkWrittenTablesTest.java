package io.quantsweep.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quantsweep.arch.RealModelFiles;
import io.quantsweep.plan.DeploymentTargets;
import io.quantsweep.spark.LocalSpark;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.avro.generic.GenericRecord;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report reads tables as Spark writes them (several part files, {@code _SUCCESS}, checksum files,
 * nullable columns): the same figures as from the parquet-avro fixture.
 */
@ExtendWith(LocalSpark.class)
class SparkWrittenTablesTest {
    @TempDir
    Path dir;

    @Test
    void sameFiguresAsTheFixture(SparkSession spark) throws IOException {
        Path fixture = ReportFixture.tiny(dir.resolve("avro"));
        Path root = dir.resolve("spark");
        write(spark, ReportFixture.tinyStats().stream().map(ReportFixture.Stat::record).toList(), ReportFixture.TENSOR_STATS,
                root.resolve(Columns.Folders.TENSOR_STATS));
        write(spark, ReportFixture.tinyScores().stream().map(ReportFixture.Score::record).toList(), ReportFixture.SUMMARY,
                root.resolve(Columns.Folders.SUMMARY));

        Analysis a = Analysis.read(RealModelFiles.fs(), RealModelFiles.hadoop(fixture), DeploymentTargets.builtIn());
        Analysis b = Analysis.read(RealModelFiles.fs(), RealModelFiles.hadoop(root), DeploymentTargets.builtIn());
        assertEquals(a.variants(), b.variants());
        QuantStats qa = a.quant().orElseThrow();
        QuantStats qb = b.quant().orElseThrow();
        for (String v : qa.variants()) {
            assertEquals(qa.tensors(v), qb.tensors(v), v);
        }
        assertEquals(a.eval().orElseThrow().scores(), b.eval().orElseThrow().scores());
        assertEquals(a.eval().orElseThrow().weights(), b.eval().orElseThrow().weights());
    }

    /** The rows as a Spark table of the same columns, in three part files. */
    private static void write(SparkSession spark, List<GenericRecord> records, org.apache.avro.Schema schema, Path path) {
        StructType type = new StructType();
        for (org.apache.avro.Schema.Field f : schema.getFields()) {
            boolean nullable = f.schema().isNullable();
            org.apache.avro.Schema.Type t = nullable ? f.schema().getTypes().stream().filter(s -> !s.isNullable()).findFirst()
                    .orElseThrow().getType() : f.schema().getType();
            type = type.add(f.name(), switch (t) {
                case STRING -> DataTypes.StringType;
                case INT -> DataTypes.IntegerType;
                case LONG -> DataTypes.LongType;
                case DOUBLE -> DataTypes.DoubleType;
                default -> throw new IllegalArgumentException("no Spark type for " + f);
            }, nullable);
        }
        List<Row> rows = records.stream().map(r -> RowFactory.create(schema.getFields().stream().map(f -> r.get(f.name())).toArray()))
                .toList();
        spark.createDataFrame(rows, type).repartition(3).write().mode(SaveMode.Overwrite).parquet(path.toString());
    }
}

package io.quantsweep.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report reads tables as Spark writes them, with the jobs' schemas (several part files,
 * {@code _SUCCESS}, checksum files, nullable and array columns): the same figures and page as from the
 * parquet-avro fixture.
 */
@ExtendWith(LocalSpark.class)
class SparkWrittenTablesTest {
    @TempDir
    Path dir;

    @Test
    void sameFiguresAsTheFixture(SparkSession spark) throws IOException {
        Path fixture = ReportFixture.tiny(dir.resolve("avro"));
        Path root = dir.resolve("spark");
        write(spark, ReportFixture.tinyStats().stream().map(ReportFixture.Stat::record).toList(), ReportFixture.TENSOR_STATS_TYPE,
                root.resolve(Columns.Folders.TENSOR_STATS));
        write(spark, ReportFixture.summaryRecords(ReportFixture.tinyScores()), ReportFixture.SUMMARY_TYPE,
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
        assertEquals(HtmlReport.render(new Analysis(a.folders(), b.quant(), b.eval(), a.kld(), b.targets())),
                HtmlReport.render(a), "the same page");
    }

    @Test
    void aSummaryWithoutRowsAsEarlierSweepsWroteItIsNoSummary(SparkSession spark) throws IOException {
        // a sweep of kld benchmarks alone wrote its empty list of scores like this (one part file, no rows)
        spark.createDataFrame(List.<Row>of(), ReportFixture.SUMMARY_TYPE).coalesce(1).write().mode(SaveMode.Overwrite)
                .parquet(dir.resolve(Columns.Folders.SUMMARY).toString());
        ReportFixture.writeKld(dir, "q8_0", List.<Object[]>of(new Object[] {"q4_k_m", "wiki", 512L, 0.0123, 0.95}));
        Analysis a = Analysis.read(RealModelFiles.fs(), RealModelFiles.hadoop(dir), DeploymentTargets.builtIn());
        assertTrue(a.eval().isEmpty() && a.kld().isPresent());
    }

    /** The records as a Spark table of {@code type}, in three part files. */
    private static void write(SparkSession spark, List<GenericRecord> records, StructType type, Path path) {
        List<Row> rows = records.stream().map(r -> RowFactory.create(java.util.Arrays.stream(type.fieldNames()).map(r::get).toArray()))
                .toList();
        spark.createDataFrame(rows, type).repartition(3).write().mode(SaveMode.Overwrite).parquet(path.toString());
    }
}

package io.quantsweep.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.arch.MlaLayout;
import io.quantsweep.arch.OutputTensor;
import io.quantsweep.arch.RealModelFiles;
import io.quantsweep.convert.CheckpointConverter;
import io.quantsweep.format.gguf.GgufReader;
import io.quantsweep.format.gguf.GgufSplit;
import io.quantsweep.format.gguf.GgufValue;
import io.quantsweep.gpu.Device;
import io.quantsweep.spark.LocalSpark;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quantize job on the tiny model in a real {@code local[2]} session: several variants in one run,
 * each tensor of each file equal to direct codec calls on the converted file llama-quantize would read;
 * the same bytes whatever the unit size, partitioning or assembly; split runs; the Parquet tables.
 */
@ExtendWith(LocalSpark.class)
class QuantizeJobTest {
    @TempDir
    static Path dir;
    static TinyModel tiny;
    static List<OutputTensor> tensors;
    static Path recipe;

    @BeforeAll
    static void generate() throws IOException {
        tiny = TinyModel.create(dir);
        tensors = CheckpointConverter.load(TinyModel.FS, RealModelFiles.hadoop(tiny.model), MlaLayout.SPLIT).mapping().tensors();
        recipe = dir.resolve("DQ3_tiny.yaml");
        Files.writeString(recipe, """
                description: a DQ3_K_M-like mixture for the tiny model
                base: Q3_K_M
                rules:
                  - tensor: 'ffn_down_exps\\.weight$'
                    layers: 1
                    type: Q6_K
                  - tensor: 'ffn_down_exps\\.weight$'
                    type: Q4_K
                  - tensor: 'attn_output\\.weight$'
                    type: Q8_0
                """);
    }

    static QuantizeJob.Summary run(SparkSession spark, QuantizeOptions o) throws IOException {
        StringWriter log = new StringWriter();
        QuantizeJob.Summary s = QuantizeJob.run(spark, o, new PrintWriter(log, true));
        return s;
    }

    private QuantizeOptions options(List<String> variants, String out) {
        return QuantizeOptions.of(tiny.model.toString(), variants, dir.resolve(out).toString()).withDevice(Device.CPU);
    }

    @Test
    void fourVariantsInOneRunEqualDirectCodecCalls(SparkSession spark) throws IOException {
        List<String> variants = List.of("Q8_0", "Q4_K_M", recipe.toString(), "Q2_K");
        StringWriter log = new StringWriter();
        QuantizeJob.Summary s = QuantizeJob.run(spark, options(variants, "four").withUnitBytes(64 << 10)
                .withImatrix(tiny.imatrix.toString()), new PrintWriter(log, true));
        assertTrue(log.toString().contains("quantize: imatrix " + tiny.imatrix + ": 4 tensors quantized with weights "
                + "(unit weights for 2 of their matrices"), log.toString());
        assertEquals(RunManifest.State.FRESH, s.state());
        assertEquals(s.units(), s.computed());
        assertTrue(s.units() > tensors.size(), "tensors larger than 64 KiB make several units: " + s.units());
        assertEquals(4, s.files().size());
        for (Path f : paths(s)) {
            assertEquals(tensors.size(), TinyModel.assertEqualsReference(List.of(f), tiny.bf16,
                    Optional.of(tiny.importanceMatrix()), tensors));
        }
        Path out = dir.resolve("four");
        assertTrue(Files.exists(out.resolve(RunManifest.SUCCESS)));
        assertFalse(Files.exists(out.resolve(QuantizeJob.WORK)), "the work directory is removed");
        assertEquals(List.of("DQ3_tiny", "Q2_K", "Q4_K_M", "Q8_0"), Files.list(out).map(p -> p.getFileName().toString())
                .filter(n -> !n.startsWith("_")).sorted().toList());
        try (GgufReader r = GgufReader.open(out.resolve("Q4_K_M/DeepSeek-V3-tiny-Q4_K_M.gguf"))) {
            assertEquals(GgufValue.u32(15), r.header().get("general.file_type").orElseThrow());
            assertEquals(tiny.imatrix.toString(), r.header().requireString("quantize.imatrix.file"));
        }

        Dataset<Row> stats = spark.read().parquet(out.resolve("_stats/tensors").toString());
        assertEquals(4L * tensors.size(), stats.count());
        Row down = stats.where("variant = 'DQ3_tiny' AND tensor = 'blk.1.ffn_down_exps.weight'").first();
        assertEquals("Q6_K", down.getAs("type"));
        assertEquals("ffn_down_exps", down.getAs("kind"));
        assertEquals(0, (int) down.getAs("expert_first"));
        assertEquals(7, (int) down.getAs("expert_last"));
        double cosine = down.getAs("cosine");
        assertTrue(cosine > 0.99 && cosine <= 1, "Q6_K keeps the weights' direction: " + cosine);
        Row q8 = stats.where("variant = 'Q8_0' AND tensor = 'blk.0.attn_q_a.weight'").first();
        Row q2 = stats.where("variant = 'Q2_K' AND tensor = 'blk.0.attn_q_a.weight'").first();
        assertTrue((double) q8.getAs("relative_rmse") < (double) q2.getAs("relative_rmse"), "Q8_0 is closer than Q2_K");
        assertEquals(s.units() * 4L, spark.read().parquet(out.resolve("_stats/units").toString()).count());
        Dataset<Row> plan = spark.read().parquet(out.resolve("_plan").toString());
        assertEquals(4L * tensors.size(), plan.count());
        Row planned = plan.where("variant = 'Q4_K_M' AND tensor = 'output.weight'").first();
        assertEquals("Q6_K", planned.getAs("type"));
    }

    @Test
    void unitSizePartitioningAndAssemblyDoNotChangeTheBytes(SparkSession spark) throws IOException {
        List<String> variants = List.of("Q4_K_M", "pure:Q5_0");
        QuantizeJob.Summary big = run(spark, options(variants, "big-units"));
        QuantizeJob.Summary small = run(spark, options(variants, "small-units").withUnitBytes(32 << 10).withPartitions(3)
                .withAssembly(ShardAssembler.Mode.COPY));
        assertTrue(small.units() > 2 * big.units(), big.units() + " vs " + small.units());
        for (int i = 0; i < big.files().size(); i++) {
            assertArrayEquals(TinyModel.bytes(paths(big).get(i)), TinyModel.bytes(paths(small).get(i)), paths(big).get(i).toString());
        }
        assertEquals(tensors.size(), TinyModel.assertEqualsReference(List.of(paths(big).get(1)), tiny.bf16, Optional.empty(), tensors));
    }

    @Test
    void f32SourcePrecisionEqualsQuantizingTheF32File(SparkSession spark) throws IOException {
        QuantizeJob.Summary s = run(spark, options(List.of("Q4_K_M"), "f32").withSourcePrecision(SourcePrecision.F32));
        assertEquals(tensors.size(), TinyModel.assertEqualsReference(paths(s), tiny.f32, Optional.empty(), tensors));
        QuantizeJob.Summary b = run(spark, options(List.of("Q4_K_M"), "bf16"));
        assertFalse(java.util.Arrays.equals(TinyModel.bytes(paths(s).get(0)), TinyModel.bytes(paths(b).get(0))),
                "rounding to BF16 first changes some blocks");
    }

    @Test
    void splitRunsWriteGgufSplitShards(SparkSession spark) throws IOException {
        QuantizeJob.Summary s = run(spark, options(List.of("Q4_K_M", "Q8_0"), "split").withSplit(GgufSplit.Limit.maxTensors(20)));
        List<Path> q4 = paths(s).stream().filter(p -> p.toString().contains("Q4_K_M")).toList();
        assertEquals((tensors.size() + 19) / 20, q4.size());
        assertTrue(q4.get(0).getFileName().toString().endsWith("-00001-of-0000" + q4.size() + ".gguf"), q4.toString());
        assertEquals(tensors.size(), TinyModel.assertEqualsReference(q4, tiny.bf16, Optional.empty(), tensors));
    }

    @Test
    void aTaskHoldsAboutThreeUnitBudgetsWhateverTheTensorSize(SparkSession spark) throws IOException {
        long budget = 32 << 10;
        QuantizeOptions o = options(List.of(recipe.toString()), "bounded").withUnitBytes(budget).withImatrix(tiny.imatrix.toString());
        QuantizePlan plan = QuantizePlanner.plan(o, new org.apache.hadoop.conf.Configuration()).plan();
        OutputTensor experts = tensors.stream().filter(t -> t.name().equals("blk.1.ffn_down_exps.weight")).findFirst().orElseThrow();
        assertTrue(experts.elementCount() * 4 >= 64 * budget, "the expert tensor is far larger than the budget");
        long expertUnits = plan.units().stream().filter(u -> u.tensor().name().equals(experts.name())).count();
        assertTrue(expertUnits >= 64, "cut into " + expertUnits + " units, several per expert");
        for (WorkUnit u : plan.units()) {
            assertTrue(u.elements() * 4 <= budget || u.rows() == 1, u.toString());
        }
        QuantizeJob.Summary s = run(spark, o);
        long longestRow = tensors.stream().mapToLong(OutputTensor::rowLength).max().orElseThrow();
        assertTrue(s.peakUnitBytes() <= 3 * budget + 4 * longestRow, "peak " + s.peakUnitBytes());
        assertEquals(tensors.size(), TinyModel.assertEqualsReference(paths(s), tiny.bf16, Optional.of(tiny.importanceMatrix()), tensors));
    }

    static List<Path> paths(QuantizeJob.Summary s) {
        return s.files().stream().map(p -> Path.of(p.toUri())).toList();
    }
}

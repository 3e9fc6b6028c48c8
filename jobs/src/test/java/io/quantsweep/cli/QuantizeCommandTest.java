package io.quantsweep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.arch.RealModelFiles;
import io.quantsweep.arch.deepseek.DeepseekV3Generator;
import io.quantsweep.arch.deepseek.DeepseekV3Preset;
import io.quantsweep.quantize.QuantizeJob;
import io.quantsweep.spark.LocalSpark;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code quantsweep quantize} end to end in the test's Spark session (which the command uses and leaves
 * running): its output, its help, and the exit status of each kind of failure.
 */
@ExtendWith(LocalSpark.class)
class QuantizeCommandTest {
    @TempDir
    static Path dir;
    static Path model;

    record Result(int status, String out, String err) {
    }

    @BeforeAll
    static void generate() throws IOException {
        model = dir.resolve("DeepSeek-V3-tiny");
        DeepseekV3Generator.generate(RealModelFiles.fs(), RealModelFiles.hadoop(model), DeepseekV3Preset.TINY, 7, Optional.empty());
    }

    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = QuantSweep.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Result(status, out.toString(), err.toString());
    }

    private static Result quantize(String out, String... more) {
        List<String> args = new ArrayList<>(List.of("quantize", "--model", model.toString(), "--variants", "Q8_0,pure:Q4_0",
                "--out", dir.resolve(out).toString(), "--device", "cpu", "--progress-interval", "0"));
        args.addAll(List.of(more));
        return run(args.toArray(String[]::new));
    }

    @Test
    void quantizesPrintsASummaryAndLeavesTheSessionRunning(SparkSession spark) {
        Result r = quantize("cli");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("variant ") && r.out().contains("pure:Q4_0"), r.out());
        assertTrue(r.out().contains("quantize: done in "), r.out());
        assertTrue(Files.exists(dir.resolve("cli/pure_Q4_0/DeepSeek-V3-tiny-pure_Q4_0.gguf")));
        assertTrue(Files.exists(dir.resolve("cli/Q8_0/DeepSeek-V3-tiny-Q8_0.gguf")));
        assertEquals(2, spark.range(2).count(), "the session still runs");

        Result again = quantize("cli");
        assertEquals(0, again.status());
        assertTrue(again.out().contains("is complete; nothing to do"), again.out());
        Result other = quantize("cli", "--source-precision", "f32");
        assertEquals(QuantSweep.BAD_INPUT, other.status());
        assertTrue(other.err().startsWith("quantsweep: ") && other.err().contains("source-precision was 'bf16', now 'f32'"), other.err());
    }

    @Test
    void badArgumentsExitWithStatus2() {
        Result both = quantize("x", "--split-max-size", "1G", "--split-max-tensors", "9");
        assertEquals(QuantSweep.BAD_INPUT, both.status());
        assertTrue(both.err().contains("mutually exclusive"), both.err());
        Result precision = quantize("x", "--source-precision", "fp8");
        assertEquals(QuantSweep.BAD_INPUT, precision.status());
        assertTrue(precision.err().contains("--source-precision must be f32 or bf16, not 'fp8'"), precision.err());
        Result unit = quantize("x", "--unit-size", "0");
        assertEquals(QuantSweep.BAD_INPUT, unit.status());
        // a unit larger than one Java array would overflow an int in every task, after the plan was written
        Result huge = quantize("x", "--unit-size", "16G");
        assertEquals(QuantSweep.BAD_INPUT, huge.status());
        assertTrue(huge.err().contains("--unit-size must be at most 1G"), huge.err());
        Result variant = run("quantize", "--model", model.toString(), "--variants", "Q9_K", "--out", dir.resolve("x").toString());
        assertEquals(QuantSweep.BAD_INPUT, variant.status());
        assertTrue(variant.err().contains("Q9_K"), variant.err());
        assertTrue(Files.notExists(dir.resolve("x")), "nothing is written for bad arguments");
    }

    @Test
    void aFullDiskExitsWithStatus3(SparkSession spark) {
        spark.conf().set(QuantizeJob.FAULT_UNIT, "2");
        spark.conf().set(QuantizeJob.FAULT_MODE, "disk-full");
        Result r;
        try {
            r = quantize("full");
        } finally {
            spark.conf().unset(QuantizeJob.FAULT_UNIT);
            spark.conf().unset(QuantizeJob.FAULT_MODE);
        }
        assertEquals(QuantSweep.IO_FAILURE, r.status(), r.err());
        assertTrue(r.err().startsWith("quantsweep: No space left on device"), r.err());
    }

    @Test
    void theExampleJobConfigParses() {
        QuantizeCommand c = new QuantizeCommand();
        new picocli.CommandLine(c).parseArgs("@../conf/quantize-deepseek-v3.args");
        io.quantsweep.quantize.QuantizeOptions o = c.options();
        assertEquals("hdfs:///models/DeepSeek-V3", o.model());
        assertEquals(List.of("Q4_K_M", "Q3_K_M", "DQ3_K_M", "conf/recipes/Q2_K_L.yaml"), o.variants());
        assertEquals(Optional.of(io.quantsweep.format.gguf.GgufSplit.Limit.maxBytes(48_000_000_000L)), o.split());
        assertEquals(64L << 20, o.unitBytes());
        assertEquals("yarn", c.master);
    }

    @Test
    void helpExplainsTheSourcePrecisionDefault() {
        Result help = run("quantize", "--help");
        assertEquals(0, help.status());
        String text = help.out().replaceAll("\\s+", " ");
        assertTrue(text.contains("bf16 (default) rounds the FP8-dequantized weights to BF16 first"), help.out());
        assertTrue(help.out().contains("--split-max-size"), help.out());
    }
}

package io.quantsweep.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.arch.RealModelFiles;
import io.quantsweep.arch.deepseek.DeepseekV3Generator;
import io.quantsweep.arch.deepseek.DeepseekV3Preset;
import io.quantsweep.format.safetensors.SafetensorsCheckpoint;
import io.quantsweep.format.safetensors.SafetensorsFile;
import io.quantsweep.format.safetensors.TensorInfo;
import io.quantsweep.quantize.QuantizeJob;
import io.quantsweep.spark.LocalSpark;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.NullConfiguration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the console shows, under the launcher's log configuration ({@code conf/log4j2.properties}), when
 * a quantize task fails: bad input once, in the command's one line, without Spark's traces of the task;
 * a full disk or a bug with Spark's traces as before. Four cores, so that running tasks are killed when
 * the job is aborted, and Spark logs each of them with the failure's trace.
 */
@ExtendWith(LocalSpark.class)
@LocalSpark.Master("local[4]")
class TaskInputErrorFilterTest {
    private static final Path CONF = Path.of("..").toAbsolutePath().normalize().resolve("conf/log4j2.properties");

    @TempDir
    static Path dir;

    @BeforeAll
    static void generate() throws IOException {
        for (String name : List.of("clean", "nan")) {
            DeepseekV3Generator.generate(RealModelFiles.fs(), RealModelFiles.hadoop(dir.resolve(name)), DeepseekV3Preset.TINY, 7,
                    Optional.empty());
        }
        String weight = "model.layers.0.self_attn.q_a_proj.weight";
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(RealModelFiles.fs(), RealModelFiles.hadoop(dir.resolve("nan")))) {
            SafetensorsFile f = c.shard(c.shardOf(weight));
            TensorInfo t = f.tensor(weight);
            try (RandomAccessFile raf = new RandomAccessFile(Path.of(f.path().toUri()).toFile(), "rw")) {
                raf.seek(f.dataStart() + t.begin() + 3 * t.rowBytes() + 5);
                raf.write(0x7F); // E4M3's NaN
            }
        }
    }

    private static CliRun.Result quantize(String model, String out) {
        return CliRun.run("quantize", "--model", dir.resolve(model).toString(), "--variants", "Q8_0,Q4_K_M",
                "--out", dir.resolve(out).toString(), "--device", "cpu", "--unit-size", "256K", "--progress-interval", "0");
    }

    @Test
    void aNaNWeightIsReportedOnceWithoutSparksTraces() {
        CliRun.Result[] r = new CliRun.Result[1];
        String console = console(() -> r[0] = quantize("nan", "nan-out"));
        assertEquals(QuantSweep.BAD_INPUT, r[0].status(), r[0].err());
        assertTrue(r[0].err().contains("'blk.0.attn_q_a.weight' has value NaN at row 3, column 5"), r[0].err());
        assertTrue(console.contains("ERROR TaskSetManager: Task ") && console.contains("aborting job"), console);
        // not "no trace at all": a task the previous test's job killed may be logged late, with that job's trace
        assertFalse(console.contains("NonFiniteWeightException") || console.contains("UnitQuantizer.requireFinite"), console);
    }

    @Test
    void aFullDiskKeepsSparksTraces(SparkSession spark) {
        spark.conf().set(QuantizeJob.FAULT_UNIT, "2");
        spark.conf().set(QuantizeJob.FAULT_MODE, "disk-full");
        CliRun.Result[] r = new CliRun.Result[1];
        String console;
        try {
            console = console(() -> r[0] = quantize("clean", "full-out"));
        } finally {
            spark.conf().unset(QuantizeJob.FAULT_UNIT);
            spark.conf().unset(QuantizeJob.FAULT_MODE);
        }
        assertEquals(QuantSweep.IO_FAILURE, r[0].status(), r[0].err());
        assertTrue(console.contains("ERROR Executor: Exception in task"), console);
        assertTrue(console.contains("java.io.IOException: No space left on device (injected while writing unit 2)\n\tat io.quantsweep."),
                console);
        assertTrue(console.contains("WARN TaskSetManager: Lost task"), console);
    }

    /** An IllegalArgumentException that the JDK throws in a task is a bug, not a refusal: its traces stay. */
    @Test
    void anIllegalArgumentFromTheJdkKeepsSparksTraces(SparkSession spark) {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        String console = console(() -> assertThrows(Exception.class,
                () -> jsc.parallelize(List.of("x"), 1).map(Integer::parseInt).collect()));
        assertTrue(console.contains("ERROR Executor: Exception in task"), console);
        assertTrue(console.contains("): java.lang.NumberFormatException: For input string: \"x\"\n\tat "),
                console);
    }

    /** What the launcher's log configuration writes to standard error while {@code body} runs. */
    private static String console(Runnable body) {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        URI tests = context.getConfigLocation();
        PrintStream err = System.err;
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        // a console appender takes System.err when it is made, and one made while another lives shares its stream
        context.setConfiguration(new NullConfiguration());
        System.setErr(new PrintStream(text, true, StandardCharsets.UTF_8));
        try {
            context.setConfigLocation(CONF.toUri());
            body.run();
        } finally {
            context.setConfiguration(new NullConfiguration());
            System.setErr(err);
            context.setConfigLocation(tests);
        }
        return text.toString(StandardCharsets.UTF_8);
    }
}

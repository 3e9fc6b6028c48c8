package io.quantsweep.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.arch.MlaLayout;
import io.quantsweep.arch.OutputTensor;
import io.quantsweep.arch.RealModelFiles;
import io.quantsweep.convert.CheckpointConverter;
import io.quantsweep.gpu.Device;
import io.quantsweep.spark.LocalSpark;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.ExceptionFailure;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Task retries in a {@code local[2,4]} session (tasks retried up to four times): a task whose part
 * write dies halfway is retried, and the run ends with exactly the bytes of the codecs.
 */
@ExtendWith(LocalSpark.class)
@LocalSpark.Master("local[2,4]")
class QuantizeRetryTest {
    @TempDir
    static Path dir;
    static TinyModel tiny;
    static List<OutputTensor> tensors;

    @BeforeAll
    static void generate() throws IOException {
        tiny = TinyModel.create(dir);
        tensors = CheckpointConverter.load(TinyModel.FS, RealModelFiles.hadoop(tiny.model), MlaLayout.SPLIT).mapping().tensors();
    }

    /** Counts tasks that ended with an exception. */
    static final class FailedTasks extends SparkListener {
        final AtomicInteger count = new AtomicInteger();

        @Override
        public void onTaskEnd(SparkListenerTaskEnd end) {
            if (end.reason() instanceof ExceptionFailure) {
                count.incrementAndGet();
            }
        }
    }

    /** Removes {@code listener} once Spark's listener bus has delivered every event posted so far. */
    private static void removeWhenHeard(SparkSession spark, FailedTasks listener) {
        try {
            spark.sparkContext().listenerBus().waitUntilEmpty(30_000);
        } catch (TimeoutException e) {
            throw new AssertionError("Spark's listener bus did not drain in 30 s", e);
        } finally {
            spark.sparkContext().removeSparkListener(listener);
        }
    }

    @Test
    void aTaskThatDiesMidWriteIsRetriedAndLeavesNoCorruptPart(SparkSession spark) throws IOException {
        QuantizeOptions o = QuantizeOptions.of(tiny.model.toString(), List.of("Q4_K_M", "Q8_0"), dir.resolve("retried").toString())
                .withDevice(Device.CPU).withUnitBytes(64 << 10);
        int unit = QuantizePlanner.plan(o, new Configuration()).plan().units().size() / 2;
        FailedTasks failed = new FailedTasks();
        spark.sparkContext().addSparkListener(failed);
        spark.conf().set(QuantizeJob.FAULT_UNIT, Integer.toString(unit));
        spark.conf().set(QuantizeJob.FAULT_MODE, "first-attempt");
        QuantizeJob.Summary s;
        try {
            s = QuantizeJob.run(spark, o, new PrintWriter(new StringWriter()));
        } finally {
            spark.conf().unset(QuantizeJob.FAULT_UNIT);
            spark.conf().unset(QuantizeJob.FAULT_MODE);
            removeWhenHeard(spark, failed);
        }
        assertEquals(1, failed.count.get(), "the first attempt of the task holding unit " + unit + " failed");
        // units the failed attempt finished before the fault are verified and kept by the retry
        assertEquals(s.units(), s.computed() + s.reused());
        List<Path> files = QuantizeJobTest.paths(s);
        for (Path f : files) {
            assertEquals(tensors.size(), TinyModel.assertEqualsReference(List.of(f), tiny.bf16, Optional.empty(), tensors));
        }

        QuantizeJob.Summary clean = QuantizeJob.run(spark, o.withPartitions(1).withUnitBytes(64 << 10)
                .withProgressInterval(java.time.Duration.ZERO), new PrintWriter(new StringWriter()));
        assertEquals(RunManifest.State.COMPLETE, clean.state(), "a complete run is left as it is");
        assertTrue(files.get(0).toFile().length() > 0);
        assertArrayEquals(TinyModel.bytes(files.get(0)), TinyModel.bytes(QuantizeJobTest.paths(clean).get(0)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"after-commit", "after-consuming-parts"})
    void anAssemblyTaskLostAfterItsCommitOrAfterItsConcatIsRetriedToTheSameFiles(String fault, SparkSession spark)
            throws IOException {
        QuantizeOptions o = QuantizeOptions.of(tiny.model.toString(), List.of("Q4_K_M", "Q8_0"),
                dir.resolve("lost-" + fault).toString()).withDevice(Device.CPU).withUnitBytes(64 << 10);
        FailedTasks failed = new FailedTasks();
        spark.sparkContext().addSparkListener(failed);
        spark.conf().set(QuantizeJob.FAULT_ASSEMBLY, fault);
        StringWriter log = new StringWriter();
        QuantizeJob.Summary s;
        try {
            s = QuantizeJob.run(spark, o, new PrintWriter(log, true));
        } finally {
            spark.conf().unset(QuantizeJob.FAULT_ASSEMBLY);
            removeWhenHeard(spark, failed);
        }
        assertEquals(1, failed.count.get(), log.toString());
        if (fault.equals("after-commit")) {
            assertTrue(log.toString().contains("quantize: files 1 assembled-copy, 1 verified"), log.toString());
        } else {
            assertTrue(log.toString().contains("is missing; rebuilding it"), log.toString());
        }
        for (Path f : QuantizeJobTest.paths(s)) {
            assertEquals(tensors.size(), TinyModel.assertEqualsReference(List.of(f), tiny.bf16, Optional.empty(), tensors));
        }
    }
}

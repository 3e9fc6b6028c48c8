package io.quantsweep.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.arch.MlaLayout;
import io.quantsweep.arch.OutputTensor;
import io.quantsweep.arch.RealModelFiles;
import io.quantsweep.convert.CheckpointConverter;
import io.quantsweep.format.FormatException;
import io.quantsweep.format.safetensors.SafetensorsCheckpoint;
import io.quantsweep.format.safetensors.SafetensorsFile;
import io.quantsweep.format.safetensors.TensorInfo;
import io.quantsweep.gpu.Device;
import io.quantsweep.spark.LocalSpark;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Killed and resumed runs, refused output directories and failures in a {@code local[2]} session
 * (no task retries): a run killed mid-stage and rerun with the same arguments ends with the clean
 * run's files, reusing the parts it verifies; other arguments, foreign directories, corrupt input,
 * non-finite weights and a full disk fail with errors that say so, and leave nothing that looks complete.
 */
@ExtendWith(LocalSpark.class)
class QuantizeResumeTest {
    @TempDir
    static Path dir;
    static TinyModel tiny;
    static List<OutputTensor> tensors;

    @BeforeAll
    static void generate() throws IOException {
        tiny = TinyModel.create(dir);
        tensors = CheckpointConverter.load(TinyModel.FS, RealModelFiles.hadoop(tiny.model), MlaLayout.SPLIT).mapping().tensors();
    }

    private static QuantizeOptions options(String out) {
        return QuantizeOptions.of(tiny.model.toString(), List.of("Q4_K_M", "Q8_0"), dir.resolve(out).toString())
                .withDevice(Device.CPU).withUnitBytes(128 << 10).withProgressInterval(Duration.ZERO);
    }

    private static QuantizeJob.Summary run(SparkSession spark, QuantizeOptions o) throws IOException {
        return QuantizeJob.run(spark, o, new PrintWriter(new StringWriter()));
    }

    /** Runs with the fault hook set (every attempt of the task of {@code unit} fails in {@code mode}). */
    private static <T extends Throwable> T runFailing(SparkSession spark, QuantizeOptions o, int unit, String mode, Class<T> expected) {
        spark.conf().set(QuantizeJob.FAULT_UNIT, Integer.toString(unit));
        spark.conf().set(QuantizeJob.FAULT_MODE, mode);
        try {
            T failure = assertThrows(expected, () -> run(spark, o));
            awaitNoRunningTasks(spark);
            return failure;
        } finally {
            spark.conf().unset(QuantizeJob.FAULT_UNIT);
            spark.conf().unset(QuantizeJob.FAULT_MODE);
        }
    }

    /** A failed job's other tasks are cancelled, not stopped at once: wait until they are gone, as with a killed driver. */
    private static void awaitNoRunningTasks(SparkSession spark) {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (Arrays.stream(spark.sparkContext().statusTracker().getExecutorInfos()).anyMatch(e -> e.numRunningTasks() > 0)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("tasks still running a minute after the failure");
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private static List<Path> ggufFiles(Path out) throws IOException {
        try (Stream<Path> s = Files.walk(out)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".gguf")).toList();
        }
    }

    private static List<Path> records(Path out) throws IOException {
        Path units = out.resolve(QuantizeJob.WORK).resolve("units");
        if (!Files.isDirectory(units)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(units)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".json")).sorted().toList();
        }
    }

    @Test
    void aKilledRunResumesToTheCleanRunsFiles(SparkSession spark) throws IOException {
        QuantizeJob.Summary clean = run(spark, options("clean"));
        QuantizeOptions o = options("killed").withPartitions(10_000);
        QuantizePlan plan = QuantizePlanner.plan(o, new Configuration()).plan();
        // one unit per partition, scheduled largest first: the smallest unit runs last
        int last = plan.units().stream().min(Comparator.comparingLong(WorkUnit::sourceBytes)
                .thenComparing(Comparator.comparingInt(WorkUnit::index).reversed())).orElseThrow().index();
        UnitTasks.InjectedFault e = runFailing(spark, o, last, "every-attempt", UnitTasks.InjectedFault.class);
        assertTrue(e.getMessage().contains("unit " + last), e.getMessage());

        Path out = dir.resolve("killed");
        assertFalse(Files.exists(out.resolve(RunManifest.SUCCESS)));
        assertEquals(List.of(), ggufFiles(out), "no output file before every unit is done");
        List<Path> done = records(out);
        assertTrue(done.size() > 1, "units finished before the kill: " + done.size());
        // a part damaged after it was committed, and a stray temporary file of a killed attempt
        Path damaged = out.resolve(QuantizeJob.WORK).resolve("parts/v0")
                .resolve(done.get(0).getFileName().toString().replace(".json", ".part"));
        flipByte(damaged, 5);
        Files.write(damaged.resolveSibling(".u999999.part.t1-x.tmp"), new byte[] {1, 2, 3});

        QuantizeJob.Summary resumed = run(spark, options("killed"));
        assertEquals(RunManifest.State.RESUME, resumed.state());
        assertEquals(done.size() - 1, resumed.reused(), "every intact unit is reused, the damaged one redone");
        assertEquals(resumed.units(), resumed.computed() + resumed.reused());
        for (int i = 0; i < clean.files().size(); i++) {
            assertArrayEquals(TinyModel.bytes(QuantizeJobTest.paths(clean).get(i)), TinyModel.bytes(QuantizeJobTest.paths(resumed).get(i)));
        }
        assertFalse(Files.exists(out.resolve(QuantizeJob.WORK)), "parts, records and stray temporaries are removed");
        assertEquals(RunManifest.State.COMPLETE, run(spark, options("killed")).state());

        // killed after its _SUCCESS, while it deleted its parts: the next run finds it complete, and finishes that
        Files.createDirectories(damaged.getParent());
        Files.write(damaged, new byte[] {1, 2, 3});
        assertEquals(RunManifest.State.COMPLETE, run(spark, options("killed")).state());
        assertFalse(Files.exists(out.resolve(QuantizeJob.WORK)));
    }

    @Test
    void aCommittedFileThatFailsVerificationIsRebuilt(SparkSession spark) throws IOException {
        QuantizeJob.Summary first = run(spark, options("rebuilt"));
        Path out = dir.resolve("rebuilt");
        byte[] q4 = TinyModel.bytes(QuantizeJobTest.paths(first).get(0));
        byte[] q8 = TinyModel.bytes(QuantizeJobTest.paths(first).get(1));
        Files.delete(out.resolve(RunManifest.SUCCESS));
        flipByte(QuantizeJobTest.paths(first).get(0), q4.length - 3);
        flipByte(QuantizeJobTest.paths(first).get(1), q8.length - 7);

        QuantizeJob.Summary second = run(spark, options("rebuilt"));
        assertEquals(RunManifest.State.RESUME, second.state());
        // the first round quantizes every unit for the records the files are checked against, the second
        // each unit of the two rebuilt files once
        assertEquals(2 * second.units(), second.computed());
        assertArrayEquals(q4, TinyModel.bytes(QuantizeJobTest.paths(second).get(0)));
        assertArrayEquals(q8, TinyModel.bytes(QuantizeJobTest.paths(second).get(1)));
        assertEquals(tensors.size(), TinyModel.assertEqualsReference(List.of(QuantizeJobTest.paths(second).get(0)), tiny.bf16,
                Optional.empty(), tensors));
    }

    @Test
    void aCompleteRunWithAMissingOrCutFileIsRebuilt(SparkSession spark) throws IOException {
        QuantizeJob.Summary first = run(spark, options("damaged"));
        Path q4 = QuantizeJobTest.paths(first).get(0);
        Path q8 = QuantizeJobTest.paths(first).get(1);
        byte[] q4Bytes = TinyModel.bytes(q4);
        byte[] q8Bytes = TinyModel.bytes(q8);
        Files.delete(q4);
        Files.write(q8, Arrays.copyOf(q8Bytes, 7));
        StringWriter log = new StringWriter();
        QuantizeJob.Summary second = QuantizeJob.run(spark, options("damaged"), new PrintWriter(log));
        assertEquals(RunManifest.State.RESUME, second.state());
        assertTrue(log.toString().contains("is marked complete, but " + q4.getFileName() + " is missing, " + q8.getFileName()
                + " has 7 bytes, not " + String.format("%,d", q8Bytes.length) + "; running again to rebuild"), log.toString());
        assertArrayEquals(q4Bytes, TinyModel.bytes(q4));
        assertArrayEquals(q8Bytes, TinyModel.bytes(q8));
        assertTrue(Files.exists(dir.resolve("damaged").resolve(RunManifest.SUCCESS)));
    }

    @Test
    void otherArgumentsAndForeignDirectoriesAreRefused(SparkSession spark) throws IOException {
        run(spark, options("refused"));
        Path out = dir.resolve("refused");
        byte[] before = TinyModel.bytes(out.resolve("Q8_0/DeepSeek-V3-tiny-Q8_0.gguf"));
        RunConflictException other = assertThrows(RunConflictException.class,
                () -> run(spark, options("refused").withSourcePrecision(SourcePrecision.F32)));
        assertEquals(RunConflictException.Reason.DIFFERENT_RUN, other.reason());
        assertTrue(other.getMessage().contains("source-precision was 'bf16', now 'f32'"), other.getMessage());
        assertArrayEquals(before, TinyModel.bytes(out.resolve("Q8_0/DeepSeek-V3-tiny-Q8_0.gguf")));

        Path foreign = Files.createDirectories(dir.resolve("foreign"));
        Files.writeString(foreign.resolve("notes.txt"), "mine");
        RunConflictException notEmpty = assertThrows(RunConflictException.class, () -> run(spark, options("foreign")));
        assertEquals(RunConflictException.Reason.NOT_EMPTY, notEmpty.reason());
        assertEquals(List.of(foreign.resolve("notes.txt")), Files.list(foreign).toList());
    }

    @Test
    void weightsReplacedUnderTheSameHeadersAreNotMixedIn(SparkSession spark) throws IOException {
        Path model = dir.resolve("DeepSeek-V3-revised");
        copyModel(model);
        QuantizeOptions o = QuantizeOptions.of(model.toString(), List.of("Q8_0"), dir.resolve("revised").toString())
                .withDevice(Device.CPU).withUnitBytes(128 << 10).withProgressInterval(Duration.ZERO);
        run(spark, o);
        // a new revision of the model with the same shapes: one weight differs, every header is the same
        String weight = "model.layers.0.self_attn.q_a_proj.weight";
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(TinyModel.FS, RealModelFiles.hadoop(model))) {
            SafetensorsFile f = c.shard(c.shardOf(weight));
            flipByte(Path.of(f.path().toUri()), f.dataStart() + f.tensor(weight).begin());
        }
        RunConflictException e = assertThrows(RunConflictException.class, () -> run(spark, o));
        assertEquals(RunConflictException.Reason.DIFFERENT_RUN, e.reason());
        assertTrue(e.getMessage().contains("holds a run of the same arguments on other inputs: since it started, checkpoint "
                + "files changed: model-0000"), e.getMessage());
    }

    @Test
    void aFullDiskFailsTheRunAndLeavesNothingLookingComplete(SparkSession spark) throws IOException {
        QuantizeOptions o = options("full");
        IOException e = runFailing(spark, o, 3, "disk-full", IOException.class);
        assertTrue(e.getMessage().contains("No space left on device"), e.getMessage());
        Path out = dir.resolve("full");
        assertFalse(Files.exists(out.resolve(RunManifest.SUCCESS)));
        assertEquals(List.of(), ggufFiles(out));
        assertFalse(Files.exists(out.resolve(QuantizeJob.WORK).resolve("parts/v0/u000003.part")), "the half-written part is gone");
        assertFalse(Files.exists(out.resolve(QuantizeJob.WORK).resolve("units/u000003.json")));
    }

    @Test
    void nonFiniteWeightsAreNamedByTensorRowAndColumn(SparkSession spark) throws IOException {
        Path broken = dir.resolve("DeepSeek-V3-nan");
        copyModel(broken);
        String weight = "model.layers.0.self_attn.q_a_proj.weight";
        String shard;
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(TinyModel.FS, RealModelFiles.hadoop(broken))) {
            shard = c.shardOf(weight);
            SafetensorsFile f = c.shard(shard);
            TensorInfo t = f.tensor(weight);
            try (RandomAccessFile raf = new RandomAccessFile(Path.of(f.path().toUri()).toFile(), "rw")) {
                raf.seek(f.dataStart() + t.begin() + 3 * t.rowBytes() + 5);
                raf.write(0x7F); // E4M3's NaN
            }
        }
        QuantizeOptions o = QuantizeOptions.of(broken.toString(), List.of("Q8_0"), dir.resolve("nan").toString())
                .withDevice(Device.CPU).withProgressInterval(Duration.ZERO);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> run(spark, o));
        assertTrue(e.getMessage().contains("'blk.0.attn_q_a.weight' has value NaN at row 3, column 5 (read from '" + weight + "')"),
                e.getMessage());
        assertTrue(e.getMessage().contains(broken.resolve(shard) + ": output tensor"), "names the shard: " + e.getMessage());
        assertEquals(List.of(), ggufFiles(dir.resolve("nan")));

        // the block's largest code, 448, times a scale of 7.59e35 is a finite float (3.40e38) beyond bfloat16's range
        Path huge = dir.resolve("DeepSeek-V3-huge");
        copyModel(huge);
        try (SafetensorsCheckpoint c = SafetensorsCheckpoint.open(TinyModel.FS, RealModelFiles.hadoop(huge))) {
            String scale = weight + "_scale_inv";
            SafetensorsFile f = c.shard(c.shardOf(scale));
            try (RandomAccessFile raf = new RandomAccessFile(Path.of(f.path().toUri()).toFile(), "rw")) {
                raf.seek(f.dataStart() + f.tensor(scale).begin());
                raf.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(7.59e35f).array());
            }
        }
        IllegalArgumentException rounded = assertThrows(IllegalArgumentException.class, () -> run(spark,
                QuantizeOptions.of(huge.toString(), List.of("Q8_0"), dir.resolve("huge").toString()).withDevice(Device.CPU)));
        assertTrue(rounded.getMessage().contains("'blk.0.attn_q_a.weight' has value 3.4")
                && rounded.getMessage().contains("rounds to infinity in bfloat16"), rounded.getMessage());
    }

    @Test
    void aTruncatedCheckpointIsRefusedBeforeAnythingIsWritten(SparkSession spark) throws IOException {
        Path broken = dir.resolve("DeepSeek-V3-truncated");
        copyModel(broken);
        Path shard;
        try (Stream<Path> s = Files.list(broken)) {
            shard = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList().get(1);
        }
        try (RandomAccessFile raf = new RandomAccessFile(shard.toFile(), "rw")) {
            raf.setLength(raf.length() - 1);
        }
        QuantizeOptions o = QuantizeOptions.of(broken.toString(), List.of("Q8_0"), dir.resolve("truncated").toString());
        FormatException e = assertThrows(FormatException.class, () -> run(spark, o));
        assertTrue(e.getMessage().contains(shard.getFileName().toString()), e.getMessage());
        assertFalse(Files.exists(dir.resolve("truncated")));
    }

    /** A copy of the tiny model's files (a flat directory) in {@code to}. */
    private static void copyModel(Path to) throws IOException {
        Files.createDirectories(to);
        try (Stream<Path> s = Files.list(tiny.model)) {
            for (Path p : s.toList()) {
                Files.copy(p, to.resolve(p.getFileName()));
            }
        }
    }

    static void flipByte(Path file, long position) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(position);
            int b = raf.read();
            raf.seek(position);
            raf.write(b ^ 0x10);
        }
    }
}

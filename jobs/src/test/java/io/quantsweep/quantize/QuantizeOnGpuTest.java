package io.quantsweep.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.quantsweep.gpu.Device;
import io.quantsweep.gpu.Devices;
import io.quantsweep.gpu.GpuCodec;
import io.quantsweep.gpu.GpuUnavailableException;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.spark.LocalSpark;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The quantize job with {@code --device gpu} writes the bytes of the CPU run, with importance and
 * without, from two concurrent tasks sharing the JVM's GPU. Runs where this JVM can run the kernels: on
 * a GPU machine, and in Maven's {@code cuda-driver-emulator} run against gpu-native's CPU emulation of the
 * CUDA driver; skipped with the reason elsewhere. The emulator shows two devices there and logs its
 * launches ({@value #LAUNCH_LOG}): local mode's tasks, assigned no GPU by Spark, use both.
 */
@ExtendWith(LocalSpark.class)
class QuantizeOnGpuTest {
    /** The directory of the emulated driver, set by the cuda-driver-emulator test run. */
    static final String EMULATOR = "quantsweep.cudaEmulator";
    /** Where the emulated driver appends "pid P device D KERNEL" per launch. */
    static final String LAUNCH_LOG = "QUANTSWEEP_CUDA_EMULATOR_LOG";

    @TempDir
    static Path dir;

    @Test
    void gpuRunWritesTheCpuRunsFiles(SparkSession spark) throws IOException {
        needsAGpu();
        TinyModel tiny = TinyModel.create(dir);
        List<String> variants = List.of("Q8_0", "Q4_K_M", "Q2_K", "pure:IQ4_XS");
        QuantizeOptions cpu = QuantizeOptions.of(tiny.model.toString(), variants, dir.resolve("cpu").toString())
                .withUnitBytes(64 << 10).withImatrix(tiny.imatrix.toString()).withDevice(Device.CPU);
        QuantizeOptions gpu = QuantizeOptions.of(tiny.model.toString(), variants, dir.resolve("gpu").toString())
                .withUnitBytes(64 << 10).withImatrix(tiny.imatrix.toString()).withDevice(Device.GPU);
        QuantizeJob.Summary onCpu = QuantizeJob.run(spark, cpu, new PrintWriter(new StringWriter(), true));
        QuantizeJob.Summary onGpu = QuantizeJob.run(spark, gpu, new PrintWriter(new StringWriter(), true));
        assertEquals(onCpu.units(), onGpu.computed());
        List<Path> files = ggufFiles(dir.resolve("cpu"));
        assertEquals(variants.size(), files.size());
        for (Path f : files) {
            Path g = dir.resolve("gpu").resolve(dir.resolve("cpu").relativize(f));
            assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(g), "the GPU run's " + g.getFileName());
        }
        String log = System.getenv(LAUNCH_LOG);
        if (log != null) {
            assertEquals(Set.of("0", "1"), quantizingDevices(Path.of(log)).get(ProcessHandle.current().pid() + ""),
                    "the devices local mode's tasks quantized on");
        }
    }

    /** The emulated driver's launch log ("pid P device D KERNEL"): the devices each process quantized on. */
    static Map<String, Set<String>> quantizingDevices(Path launchLog) throws IOException {
        Map<String, Set<String>> devices = new TreeMap<>();
        for (String line : Files.readAllLines(launchLog)) {
            String[] w = line.split(" ");
            if (w[4].startsWith("quantize_")) {
                devices.computeIfAbsent(w[1], k -> new TreeSet<>()).add(w[3]);
            }
        }
        return devices;
    }

    private static void needsAGpu() {
        try {
            assertInstanceOf(GpuCodec.class, Devices.codec(GgmlType.Q4_K, Device.GPU));
        } catch (GpuUnavailableException e) {
            String emulator = System.getProperty(EMULATOR);
            if (emulator != null && (Files.exists(Path.of(emulator, "libcuda.so.1")) || System.getenv("CI") != null)) {
                fail("the CUDA driver emulator in " + emulator + " does not run the kernels: " + e.getMessage());
            }
            Assumptions.assumeTrue(false, "no usable GPU: " + e.getMessage());
        }
    }

    private static List<Path> ggufFiles(Path out) throws IOException {
        try (Stream<Path> s = Files.walk(out)) {
            List<Path> files = s.filter(p -> p.toString().endsWith(".gguf")).sorted().toList();
            assertTrue(!files.isEmpty(), "no GGUF files under " + out);
            return files;
        }
    }
}

package io.quantsweep.quantize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.quantsweep.gpu.Device;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.resource.ResourceDiscoveryPlugin;
import org.apache.spark.resource.ResourceInformation;
import org.apache.spark.resource.ResourceRequest;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Executors on one machine quantize on the GPUs Spark assigned them. A {@code local-cluster} of two
 * workers, each with one GPU of its own (0 and 1), runs the quantize job with {@code --device gpu} in two
 * executor JVMs over gpu-native's CUDA driver emulator showing two devices. The files equal a CPU run's,
 * and the emulator's launch log shows both devices used, each by one executor. Runs in Maven's
 * {@code cuda-driver-emulator} execution, which sets {@code SPARK_HOME} to a folder this test fills (the
 * standalone workers build executor command lines from it); skipped with the reason elsewhere.
 */
class QuantizeOnGpuExecutorsTest {
    @TempDir
    static Path dir;

    /** Hands each worker of the local cluster a GPU of its own; Spark's executors then get it from their worker. */
    public static final class OneGpuPerWorker implements ResourceDiscoveryPlugin {
        static final AtomicInteger NEXT = new AtomicInteger();

        @Override
        public Optional<ResourceInformation> discoverResource(ResourceRequest request, SparkConf conf) {
            if (!request.id().resourceName().equals(TaskGpu.RESOURCE)) {
                return Optional.empty();
            }
            return Optional.of(new ResourceInformation(TaskGpu.RESOURCE,
                    new String[] {Integer.toString(NEXT.getAndIncrement())}));
        }
    }

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // executors that never register would leave the job waiting
    void eachExecutorQuantizesOnItsOwnGpuAndTheFilesEqualTheCpuRuns() throws IOException {
        String emulator = System.getProperty(QuantizeOnGpuTest.EMULATOR);
        String sparkHome = System.getenv("SPARK_HOME");
        Assumptions.assumeTrue(emulator != null && sparkHome != null,
                "needs the cuda-driver-emulator execution (emulator and SPARK_HOME)");
        if (!Files.exists(Path.of(emulator, "libcuda.so.1"))) {
            if (System.getenv("CI") != null) {
                fail("no CUDA driver emulator in " + emulator);
            }
            Assumptions.assumeTrue(false, "no CUDA driver emulator in " + emulator + " (no g++)");
        }
        Files.createDirectories(Path.of(sparkHome, "jars"));
        Path launches = dir.resolve("launches.log");
        Path model = TinyModel.checkpoint(dir);
        List<String> variants = List.of("Q8_0", "Q4_K_M");
        SparkSession spark = SparkSession.builder()
                .master("local-cluster[2,1,1024]")
                .appName(getClass().getSimpleName())
                .config("spark.ui.enabled", "false")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.executor.extraClassPath", System.getProperty("java.class.path"))
                .config("spark.executor.extraJavaOptions", "--add-modules=jdk.incubator.vector")
                .config("spark.executorEnv.LD_LIBRARY_PATH", emulator)
                .config("spark.executorEnv.QUANTSWEEP_CUDA_EMULATOR_DEVICES", "2")
                .config("spark.executorEnv.QUANTSWEEP_CUDA_EMULATOR_LOG", launches.toString())
                .config("spark.resources.discoveryPlugin", OneGpuPerWorker.class.getName())
                .config("spark.worker.resource.gpu.amount", "1")
                .config("spark.executor.resource.gpu.amount", "1")
                .config("spark.task.resource.gpu.amount", "1")
                .config("spark.scheduler.minRegisteredResourcesRatio", "1.0")
                .config("spark.scheduler.maxRegisteredResourcesWaitingTime", "120s")
                .getOrCreate();
        try {
            QuantizeOptions cpu = QuantizeOptions.of(model.toString(), variants, dir.resolve("cpu").toString())
                    .withUnitBytes(64 << 10).withPartitions(8).withDevice(Device.CPU);
            QuantizeJob.run(spark, cpu, new PrintWriter(new StringWriter(), true));
            Files.deleteIfExists(launches);
            QuantizeOptions gpu = QuantizeOptions.of(model.toString(), variants, dir.resolve("gpu").toString())
                    .withUnitBytes(64 << 10).withPartitions(8).withDevice(Device.GPU);
            QuantizeJob.run(spark, gpu, new PrintWriter(new StringWriter(), true));
        } finally {
            spark.stop();
        }
        for (String variant : variants) {
            Path f = gguf(dir.resolve("cpu").resolve(variant));
            Path g = dir.resolve("gpu").resolve(dir.resolve("cpu").relativize(f));
            assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(g), "the GPU run's " + g.getFileName());
        }
        Map<String, Set<String>> devicesByExecutor = QuantizeOnGpuTest.quantizingDevices(launches);
        assertEquals(2, devicesByExecutor.size(), "executors that launched kernels: " + devicesByExecutor);
        assertTrue(devicesByExecutor.values().stream().allMatch(d -> d.size() == 1), devicesByExecutor.toString());
        assertEquals(Set.of("0", "1"), devicesByExecutor.values().stream().flatMap(Set::stream)
                .collect(Collectors.toSet()), "devices used: " + devicesByExecutor);
    }

    private static Path gguf(Path variantDir) throws IOException {
        try (Stream<Path> s = Files.list(variantDir)) {
            return s.filter(p -> p.toString().endsWith(".gguf")).findFirst()
                    .orElseThrow(() -> new AssertionError("no GGUF file in " + variantDir));
        }
    }
}

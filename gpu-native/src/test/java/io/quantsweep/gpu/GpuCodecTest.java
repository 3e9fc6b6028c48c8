package io.quantsweep.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.quant.Codec;
import io.quantsweep.quant.Codecs;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.Golden;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.bytedeco.cuda.global.cudart;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The kernels on a GPU: byte-identical to ggml's golden vectors and to the CPU codecs, in one chunk or
 * many, from concurrent callers; driver errors fail the call. Skipped, with the probe's reason, where no
 * usable GPU is present. Maven runs it a second time against the CPU emulation of the CUDA driver
 * ({@code cuda-emulator.sh}, system property {@value #EMULATOR}), which exercises the whole launcher.
 */
class GpuCodecTest {
    /** The directory of the emulated driver, set by the cuda-driver-emulator test run. */
    static final String EMULATOR = "quantsweep.cudaEmulator";
    /** KERNEL:COLUMNS, launches the emulated driver refuses (CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES). */
    static final String REFUSE = "QUANTSWEEP_CUDA_EMULATOR_REFUSE";

    @BeforeAll
    static void needsAGpu() {
        CudaKernels.Outcome o = CudaKernels.outcome();
        String emulator = System.getProperty(EMULATOR);
        if (emulator != null && (Files.exists(Path.of(emulator, "libcuda.so.1")) || System.getenv("CI") != null)) {
            // built (or, on CI, required: scripts/ci-setup installs g++), so it must load
            assertNotNull(o.kernels(), () -> "the CUDA driver emulator in " + emulator + " does not run the kernels: "
                    + o.failure());
        }
        Assumptions.assumeTrue(o.kernels() != null, () -> "no usable GPU: " + o.failure());
    }

    @Test
    void waitsForTheDeviceAsleepInsteadOfSpinning() {
        int[] flags = {-1};
        int[] active = {-1};
        assertEquals(cudart.CUDA_SUCCESS, cudart.cuDevicePrimaryCtxGetState(CudaProbe.status().handle(), flags, active));
        assertEquals(1, active[0]);
        assertEquals(cudart.CU_CTX_SCHED_BLOCKING_SYNC, flags[0] & cudart.CU_CTX_SCHED_MASK);
    }

    static List<Golden.Entry> goldenFilesWithAKernel() {
        return Golden.quantEntries().stream().filter(e -> CudaKernels.kernel(e.ggmlType()) != null).toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goldenFilesWithAKernel")
    void quantizesExactlyAsGgmlInOneChunkAndInOneRowChunks(Golden.Entry e) {
        float[] x = Golden.input(e.caseName());
        float[] importance = e.imatrix() ? Golden.importance(e.caseName()) : null;
        byte[] ggml = Golden.bytes(e.file());
        assertArrayEquals(ggml, quantize(GpuCodec.of(e.ggmlType()), x, e.rows(), e.cols(), importance), "one chunk");
        GpuCodec rowChunks = new GpuCodec(e.ggmlType(), CudaProbe.DEFAULT_DEVICE, e.cols());
        assertArrayEquals(ggml, quantize(rowChunks, x, e.rows(), e.cols(), importance), "one row per chunk");
    }

    @Test
    void fourConcurrentCallersGetTheCpuCodecsBytes() throws Exception {
        int rows = 96;
        int cols = 7168;
        float[] x = GpuCheck.seededRows(rows, cols, 11);
        float[] importance = GpuCheck.seededImportance(cols, 12);
        for (GgmlType type : Devices.gpuTypes()) {
            if (!Codecs.supported().contains(type)) {
                continue;
            }
            for (float[] weights : new float[][] {null, importance}) {
                GpuCodec gpu = new GpuCodec(type, CudaProbe.DEFAULT_DEVICE, 16 * cols);
                assertConcurrentCallsGiveTheCpuCodecsBytes(Collections.nCopies(4, gpu), x, rows, cols, weights,
                        type + (weights != null ? " with importance" : ""));
            }
        }
    }

    @Test
    void twoDevicesQuantizeAtOnceEachInItsOwnContextWithTheCpuCodecsBytes() throws Exception {
        // the emulated driver shows four devices (QUANTSWEEP_CUDA_EMULATOR_DEVICES=4, the last two unusable),
        // and keeps each device's streams, kernels and memory to its own context, as a GPU does
        CudaProbe.Status second = CudaProbe.status(1);
        Assumptions.assumeTrue(second.available(), () -> "no second device: " + second.reason());
        assertNotSame(CudaKernels.get(0), CudaKernels.get(1));
        assertEquals(1, CudaKernels.get(1).device());
        int rows = 64;
        int cols = 4096;
        float[] x = GpuCheck.seededRows(rows, cols, 31);
        float[] importance = GpuCheck.seededImportance(cols, 32);
        for (GgmlType type : List.of(GgmlType.Q4_K, GgmlType.Q6_K, GgmlType.Q4_0)) {
            List<GpuCodec> devices01 = List.of(new GpuCodec(type, 0, 8 * cols), new GpuCodec(type, 1, 8 * cols),
                    new GpuCodec(type, 0, 8 * cols), new GpuCodec(type, 1, 8 * cols));
            assertConcurrentCallsGiveTheCpuCodecsBytes(devices01, x, rows, cols, importance,
                    type + " on devices 0, 1, 0, 1");
        }
    }

    /** Calls each codec on a thread of its own, all at once; every call must give the CPU codec's bytes. */
    private static void assertConcurrentCallsGiveTheCpuCodecsBytes(List<GpuCodec> codecs, float[] x, int rows,
            int cols, float[] importance, String what) throws Exception {
        byte[] cpu = quantize(Codecs.of(codecs.get(0).type()), x, rows, cols, importance);
        ExecutorService pool = Executors.newFixedThreadPool(codecs.size());
        try {
            List<Future<byte[]>> runs = new ArrayList<>();
            for (GpuCodec codec : codecs) {
                runs.add(pool.submit(() -> quantize(codec, x, rows, cols, importance)));
            }
            for (int i = 0; i < runs.size(); i++) {
                assertArrayEquals(cpu, runs.get(i).get(), what + ", call " + i);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aDeviceTheDriverDoesNotShowIsRefusedNamingIt() {
        GpuUnavailableException e = assertThrows(GpuUnavailableException.class, () -> GpuCodec.of(GgmlType.Q4_K, 1000));
        assertTrue(e.getMessage().contains("no CUDA device 1000: the driver shows "), e.getMessage());
        assertSame(Codecs.of(GgmlType.Q4_K), Devices.codec(GgmlType.Q4_K, Device.AUTO, 1000));
    }

    @Test
    void aDriverErrorNamesWhatFailed() {
        CudaKernels cuda = CudaKernels.get(CudaProbe.DEFAULT_DEVICE);
        CudaException e = assertThrows(CudaException.class, () -> cuda.alloc(1L << 50, "a 1 PiB test buffer"));
        assertTrue(e.getMessage().contains("1125899906842624 bytes") && e.getMessage().contains("a 1 PiB test buffer")
                && e.getMessage().contains("CUDA_ERROR_OUT_OF_MEMORY"), e.getMessage());
    }

    @Test
    void aRefusedLaunchFailsThatCallNamingKernelAndSizeAndTheNextCallWorks() {
        String refuse = System.getenv(REFUSE);
        Assumptions.assumeTrue(refuse != null, "only the emulated driver refuses launches on request (" + REFUSE + ")");
        String kernelName = refuse.substring(0, refuse.indexOf(':'));
        int cols = Integer.parseInt(refuse.substring(refuse.indexOf(':') + 1));
        GgmlType type = Devices.gpuTypes().stream().filter(t -> CudaKernels.kernel(t).name().equals(kernelName))
                .findFirst().orElseThrow();
        GpuCodec gpu = GpuCodec.of(type);
        int rows = 3;
        float[] x = GpuCheck.seededRows(rows, cols, 21);
        CudaException e = assertThrows(CudaException.class, () -> quantize(gpu, x, rows, cols, null));
        String expected = "launching " + CudaKernels.describe(CudaKernels.kernel(type), rows, cols);
        assertTrue(e.getMessage().startsWith(expected) && e.getMessage().contains("CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES"),
                e.getMessage());

        int otherCols = cols + type.blockSize();
        float[] y = GpuCheck.seededRows(rows, otherCols, 22);
        assertArrayEquals(quantize(Codecs.of(type), y, rows, otherCols, null), quantize(gpu, y, rows, otherCols, null),
                "the call after the failure");
    }

    @Test
    void aBatchReachingPastItsArraysIsRefusedBeforeAnyCopyAsTheCpuCodecsRefuseIt() {
        GpuCodec gpu = GpuCodec.of(GgmlType.Q4_K);
        int rows = 2;
        int cols = 512;
        float[] x = GpuCheck.seededRows(rows, cols, 51);
        byte[] out = new byte[Math.toIntExact(GgmlType.Q4_K.bytesFor((long) rows * cols))];
        assertThrows(IndexOutOfBoundsException.class, () -> gpu.quantizeRows(x, 1, rows, cols, null, out, 0));
        assertThrows(IndexOutOfBoundsException.class, () -> gpu.quantizeRows(x, 0, rows, cols, null, out, 1));
        assertThrows(IndexOutOfBoundsException.class,
                () -> gpu.quantizeRows(x, 0, rows, cols, new float[cols - 1], out, 0));
        assertThrows(IndexOutOfBoundsException.class,
                () -> Codecs.of(GgmlType.Q4_K).quantizeRows(x, 1, rows, cols, null, out, 0));
        assertArrayEquals(quantize(Codecs.of(GgmlType.Q4_K), x, rows, cols, null), quantize(gpu, x, rows, cols, null),
                "the call after the refusals");
    }

    private static byte[] quantize(Codec codec, float[] x, int rows, int cols, float[] importance) {
        byte[] out = new byte[Math.toIntExact(codec.type().bytesFor((long) rows * cols))];
        codec.quantizeRows(x, 0, rows, cols, importance, out, 0);
        return out;
    }
}

package io.quantsweep.gpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.quant.Codec;
import io.quantsweep.quant.Codecs;
import io.quantsweep.quant.GgmlType;
import org.bytedeco.cuda.global.cudart;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A kernel that faults loses its device's context for the rest of the process, as on a GPU. The call fails
 * naming the kernel and size; later calls on that device name that first failure; the device's new codecs
 * are the CPU's under {@code auto} and a refusal naming it under {@code gpu}; the other device goes on.
 * Runs against the emulated driver, which faults on request ({@value #FAULT}), in a JVM of its own.
 */
class LostContextTest {
    /** KERNEL:COLUMNS, launches that fault as they run on the emulated driver (CUDA_ERROR_ILLEGAL_ADDRESS, sticky). */
    static final String FAULT = "QUANTSWEEP_CUDA_EMULATOR_FAULT";

    @Test
    void aFaultingKernelRetiresItsDeviceAndTheOtherDeviceGoesOn() {
        String fault = System.getenv(FAULT);
        Assumptions.assumeTrue(fault != null, "only the emulated driver faults on request (" + FAULT + ")");
        Assumptions.assumeTrue(CudaProbe.status(1).available(), "needs two devices");
        String kernelName = fault.substring(0, fault.indexOf(':'));
        int cols = Integer.parseInt(fault.substring(fault.indexOf(':') + 1));
        GgmlType type = Devices.gpuTypes().stream().filter(t -> CudaKernels.kernel(t).name().equals(kernelName))
                .findFirst().orElseThrow();
        int rows = 4;
        int otherCols = 4096;
        float[] y = GpuCheck.seededRows(rows, otherCols, 42);
        byte[] cpu = quantize(Codecs.of(GgmlType.Q4_K), y, rows, otherCols);
        Codec madeBefore = Devices.codec(GgmlType.Q4_K, Device.AUTO, 0);
        assertInstanceOf(GpuCodec.class, madeBefore);
        assertArrayEquals(cpu, quantize(madeBefore, y, rows, otherCols));

        CudaException first = assertThrows(CudaException.class,
                () -> quantize(GpuCodec.of(type, 0), GpuCheck.seededRows(rows, cols, 41), rows, cols));
        assertEquals(cudart.CUDA_ERROR_ILLEGAL_ADDRESS, first.code());
        assertTrue(first.getMessage().contains(CudaKernels.describe(CudaKernels.kernel(type), rows, cols)),
                first.getMessage());

        CudaException echo = assertThrows(CudaException.class, () -> quantize(madeBefore, y, rows, otherCols));
        assertTrue(echo.getMessage().endsWith("the context had been lost before: " + first.getMessage()),
                echo.getMessage());
        Codec madeAfter = Devices.codec(GgmlType.Q4_K, Device.AUTO, 0);
        assertFalse(madeAfter instanceof GpuCodec, "auto falls back to the CPU");
        assertArrayEquals(cpu, quantize(madeAfter, y, rows, otherCols));
        GpuUnavailableException refused = assertThrows(GpuUnavailableException.class,
                () -> Devices.codec(GgmlType.Q4_K, Device.GPU, 0));
        assertTrue(refused.getMessage().endsWith("unavailable: the CUDA context of device 0 is lost: " + first.getMessage()),
                refused.getMessage());

        assertArrayEquals(cpu, quantize(Devices.codec(GgmlType.Q4_K, Device.GPU, 1), y, rows, otherCols), "device 1");
    }

    private static byte[] quantize(Codec codec, float[] x, int rows, int cols) {
        byte[] out = new byte[Math.toIntExact(codec.type().bytesFor((long) rows * cols))];
        codec.quantizeRows(x, 0, rows, cols, null, out, 0);
        return out;
    }
}

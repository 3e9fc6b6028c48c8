package io.quantsweep.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.quant.GgmlType;
import org.bytedeco.cuda.global.cudart;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * A device whose kernels do not load gives its context back: the memory a context holds is not this
 * executor's to keep while it quantizes on the CPU. Runs against the emulated driver with one device's
 * memory full ({@value #FULL}): the PTX loads there, and the first allocation, the kernels' block size
 * table, fails.
 */
class FailedLoadTest {
    /** D, the emulated device whose every allocation fails with CUDA_ERROR_OUT_OF_MEMORY. */
    static final String FULL = "QUANTSWEEP_CUDA_EMULATOR_FULL";

    @Test
    void aDeviceWhoseKernelsFailToLoadReleasesItsContextAndRunsOnTheCpu() {
        String full = System.getenv(FULL);
        Assumptions.assumeTrue(full != null, "only the emulated driver fills a device on request (" + FULL + ")");
        int device = Integer.parseInt(full);
        Assumptions.assumeTrue(CudaProbe.status(device).available(), "needs device " + device);

        CudaKernels.Outcome outcome = CudaKernels.outcome(device);
        assertNull(outcome.kernels());
        assertTrue(outcome.failure().startsWith("the CUDA kernels do not load on device " + device + ": "),
                outcome.failure());
        assertEquals(cudart.CUDA_ERROR_OUT_OF_MEMORY, ((CudaException) outcome.cause()).code(), outcome.failure());

        int[] flags = {-1};
        int[] active = {-1};
        int handle = CudaProbe.status(device).handle();
        assertEquals(cudart.CUDA_SUCCESS, cudart.cuDevicePrimaryCtxGetState(handle, flags, active));
        assertEquals(0, active[0], "device " + device + "'s primary context is still retained");

        assertFalse(Devices.codec(GgmlType.Q4_K, Device.AUTO, device) instanceof GpuCodec, "auto falls back to the CPU");
        GpuUnavailableException refused = assertThrows(GpuUnavailableException.class,
                () -> Devices.codec(GgmlType.Q4_K, Device.GPU, device));
        assertTrue(refused.getMessage().contains(outcome.failure()), refused.getMessage());
    }
}

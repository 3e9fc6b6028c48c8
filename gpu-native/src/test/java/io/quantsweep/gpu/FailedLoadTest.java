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
 * table, fails; and with one device whose JIT refuses the PTX ({@value #JIT_ERROR}), whose log the
 * failure quotes.
 */
class FailedLoadTest {
    /** D, the emulated device whose every allocation fails with CUDA_ERROR_OUT_OF_MEMORY. */
    static final String FULL = "QUANTSWEEP_CUDA_EMULATOR_FULL";
    /** D, the emulated device whose JIT refuses the PTX with CUDA_ERROR_INVALID_PTX and a log line. */
    static final String JIT_ERROR = "QUANTSWEEP_CUDA_EMULATOR_JIT_ERROR";

    /** The failed load of the emulated device that {@code variable} names; the test is skipped without it. */
    private static CudaKernels.Outcome failedLoad(String variable) {
        String named = System.getenv(variable);
        Assumptions.assumeTrue(named != null, "only the emulated driver fails a device on request (" + variable + ")");
        int device = Integer.parseInt(named);
        Assumptions.assumeTrue(CudaProbe.status(device).available(), "needs device " + device);
        CudaKernels.Outcome outcome = CudaKernels.outcome(device);
        assertNull(outcome.kernels());
        return outcome;
    }

    @Test
    void aDeviceWhoseKernelsFailToLoadReleasesItsContextAndRunsOnTheCpu() {
        CudaKernels.Outcome outcome = failedLoad(FULL);
        int device = Integer.parseInt(System.getenv(FULL));
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

    @Test
    void aPtxTheDriverRefusesIsNamedWithWhatItsJitSaid() {
        CudaKernels.Outcome outcome = failedLoad(JIT_ERROR);
        assertEquals(cudart.CUDA_ERROR_INVALID_PTX, ((CudaException) outcome.cause()).code(), outcome.failure());
        assertTrue(outcome.failure().contains("with cuModuleLoadData (the JIT says: ptxas application ptx input, line 1; "
                + "fatal   : emulated JIT failure on device " + System.getenv(JIT_ERROR) + ")"), outcome.failure());
    }
}

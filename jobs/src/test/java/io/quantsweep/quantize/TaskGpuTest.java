package io.quantsweep.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.gpu.CudaProbe;
import java.util.Map;
import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Test;

class TaskGpuTest {
    private static Map<String, ResourceInformation> gpus(String... addresses) {
        return Map.of("gpu", new ResourceInformation("gpu", addresses));
    }

    @Test
    void aTaskQuantizesOnTheFirstGpuSparkAssignedIt() {
        assertEquals(3, TaskGpu.ordinal(gpus("3")));
        assertEquals(5, TaskGpu.ordinal(gpus("5", "6")));
    }

    @Test
    void withoutAnAssignedGpuATaskUsesTheDefaultDevice() {
        assertEquals(CudaProbe.DEFAULT_DEVICE, TaskGpu.ordinal(Map.of()));
        assertEquals(CudaProbe.DEFAULT_DEVICE, TaskGpu.ordinal(gpus()));
        assertEquals(CudaProbe.DEFAULT_DEVICE,
                TaskGpu.ordinal(Map.of("fpga", new ResourceInformation("fpga", new String[] {"2"}))));
    }

    @Test
    void anAddressThatIsNotADeviceOrdinalIsRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TaskGpu.ordinal(gpus("GPU-8f0c2a61-0d5e-4a3c-9b1e-1c2d3e4f5a6b")));
        assertTrue(e.getMessage().contains("'GPU-8f0c2a61-0d5e-4a3c-9b1e-1c2d3e4f5a6b'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TaskGpu.ordinal(gpus("-1")));
    }
}

package io.quantsweep.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.gpu.CudaProbe;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.spark.resource.ResourceInformation;
import org.junit.jupiter.api.Test;

class TaskGpuTest {
    private static Map<String, ResourceInformation> gpus(String... addresses) {
        return Map.of("gpu", new ResourceInformation("gpu", addresses));
    }

    @Test
    void aTaskQuantizesOnTheFirstGpuSparkAssignedIt() {
        assertEquals(3, TaskGpu.ordinal(gpus("3"), 0, 0, 8));
        assertEquals(5, TaskGpu.ordinal(gpus("5", "6"), 6, 1, 8));
    }

    @Test
    void withoutAnAssignedGpuTasksSpreadOverTheVisibleDevicesAndARetryMovesOn() {
        assertEquals(List.of(0, 1, 2, 0, 1), IntStream.range(0, 5).mapToObj(p -> TaskGpu.ordinal(Map.of(), p, 0, 3))
                .toList());
        assertEquals(2, TaskGpu.ordinal(gpus(), 1, 1, 3));
        assertEquals(1, TaskGpu.ordinal(Map.of("fpga", new ResourceInformation("fpga", new String[] {"2"})), 7, 0, 2));
        assertEquals(CudaProbe.DEFAULT_DEVICE, TaskGpu.ordinal(Map.of(), 5, 0, 0), "no device: the default");
    }

    @Test
    void anAddressThatIsNotADeviceOrdinalIsRefusedNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TaskGpu.ordinal(gpus("GPU-8f0c2a61-0d5e-4a3c-9b1e-1c2d3e4f5a6b"), 0, 0, 1));
        assertTrue(e.getMessage().contains("'GPU-8f0c2a61-0d5e-4a3c-9b1e-1c2d3e4f5a6b'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> TaskGpu.ordinal(gpus("-1"), 0, 0, 1));
    }
}

package io.quantsweep.quantize;

import io.quantsweep.gpu.CudaProbe;
import java.util.Map;
import org.apache.spark.resource.ResourceInformation;

/**
 * The CUDA device a task quantizes on: the GPU that Spark's resource scheduling assigned it
 * ({@code spark.executor.resource.gpu.amount}, {@code spark.task.resource.gpu.amount}), so that executors
 * sharing a machine each use their own. Without an assignment (local mode, or a cluster that isolates
 * GPUs per container) it is {@link CudaProbe#DEFAULT_DEVICE}.
 *
 * <p>Spark's addresses are whatever the discovery script prints; the stock {@code getGpusResources.sh}
 * prints nvidia-smi's indexes, which are CUDA's device ordinals when the executors run with
 * {@code CUDA_DEVICE_ORDER=PCI_BUS_ID} (CUDA's default order puts the fastest device first, which
 * differs on a machine with mixed GPUs).
 */
final class TaskGpu {
    /** Spark's name of the resource. */
    static final String RESOURCE = "gpu";

    private TaskGpu() {
    }

    /**
     * The device ordinal of a task with {@code resources} ({@code TaskContext.resourcesJMap()}): the first
     * GPU address it was assigned.
     *
     * @throws IllegalArgumentException when that address is not a device ordinal (a UUID, say)
     */
    static int ordinal(Map<String, ResourceInformation> resources) {
        ResourceInformation gpu = resources.get(RESOURCE);
        if (gpu == null || gpu.addresses().length == 0) {
            return CudaProbe.DEFAULT_DEVICE;
        }
        String address = gpu.addresses()[0];
        if (!address.matches("\\d{1,4}")) {
            throw new IllegalArgumentException("Spark assigned this task GPU address '" + address
                    + "'; the quantize job needs CUDA device ordinals (0, 1, ...), as getGpusResources.sh prints them");
        }
        return Integer.parseInt(address);
    }
}

package io.quantsweep.quantize;

import io.quantsweep.gpu.CudaProbe;
import java.util.Map;
import org.apache.spark.resource.ResourceInformation;

/**
 * The CUDA device a task quantizes on. Where Spark's resource scheduling assigned the task a GPU
 * ({@code spark.executor.resource.gpu.amount}, {@code spark.task.resource.gpu.amount}), that one, so that
 * executors sharing a machine each use their own. Without an assignment (local mode, or a cluster
 * without GPU scheduling), tasks spread over the devices the process sees by partition, so that local
 * mode on a machine with eight GPUs quantizes on all eight ({@code CUDA_VISIBLE_DEVICES} limits them).
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
     * GPU address it was assigned; without one, its partition plus its attempt (a retry moves to the next
     * device) modulo the {@code visible} devices, or {@link CudaProbe#DEFAULT_DEVICE} when there are none.
     *
     * @throws IllegalArgumentException when an assigned address is not a device ordinal (a UUID, say)
     */
    static int ordinal(Map<String, ResourceInformation> resources, int partition, int attempt, int visible) {
        ResourceInformation gpu = resources.get(RESOURCE);
        if (gpu == null || gpu.addresses().length == 0) {
            return visible > 0 ? (partition + attempt) % visible : CudaProbe.DEFAULT_DEVICE;
        }
        String address = gpu.addresses()[0];
        if (!address.matches("\\d{1,4}")) {
            throw new IllegalArgumentException("Spark assigned this task GPU address '" + address
                    + "'; the quantize job needs CUDA device ordinals (0, 1, ...), as getGpusResources.sh prints them");
        }
        return Integer.parseInt(address);
    }
}

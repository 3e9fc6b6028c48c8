package io.quantsweep.gpu;

import static org.bytedeco.cuda.global.cudart.CUDA_SUCCESS;
import static org.bytedeco.cuda.global.cudart.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR;
import static org.bytedeco.cuda.global.cudart.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR;
import static org.bytedeco.cuda.global.cudart.cuDeviceGet;
import static org.bytedeco.cuda.global.cudart.cuDeviceGetAttribute;
import static org.bytedeco.cuda.global.cudart.cuDeviceGetCount;
import static org.bytedeco.cuda.global.cudart.cuDeviceGetName;
import static org.bytedeco.cuda.global.cudart.cuDriverGetVersion;
import static org.bytedeco.cuda.global.cudart.cuInit;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.bytedeco.javacpp.Loader;

/**
 * Whether this JVM can run the kernels on a CUDA device: the driver loads, has that device, and the device
 * and driver are new enough for the shipped PTX. The driver is probed once per JVM, because a failed load
 * cannot be retried (JavaCPP throws {@code UnsatisfiedLinkError} the first time and
 * {@code NoClassDefFoundError} for {@code org.bytedeco.cuda.global.cudart} ever after); each device once
 * after it. Every answer is cached and logged in one line.
 */
public final class CudaProbe {
    /** Compute capability the PTX is built for ({@code -arch=compute_80}). */
    static final int MIN_COMPUTE = 80;
    /** {@code cuDriverGetVersion} of the first driver (R580) that loads CUDA 13.0 PTX (ISA 9.0). */
    static final int MIN_DRIVER = 13000;
    /**
     * The device ordinal used when nothing chooses another (a Spark task without an assigned GPU, the
     * GPU check); {@code CUDA_VISIBLE_DEVICES} chooses which physical device that is.
     */
    public static final int DEFAULT_DEVICE = 0;

    private static final System.Logger LOG = System.getLogger(CudaProbe.class.getName());

    /**
     * The probe's answer for one device.
     *
     * @param available whether the kernels can be loaded on the device
     * @param reason the device and driver when available, else why not
     * @param handle the device's {@code CUdevice} (from {@code cuDeviceGet}) when available, else -1
     */
    public record Status(boolean available, String reason, int handle) {
        static Status unavailable(String reason) {
            return new Status(false, reason, -1);
        }
    }

    /** The driver as loaded: {@code failure} is null when it loaded and has devices. */
    private record Driver(String failure, int devices, int version) {
    }

    private static final class Holder {
        static final Driver DRIVER = loadDriver();
    }

    private static final Map<Integer, Status> DEVICES = new ConcurrentHashMap<>();
    private static volatile boolean probed;

    private CudaProbe() {
    }

    /** The cached answer for {@link #DEFAULT_DEVICE}. */
    public static Status status() {
        return status(DEFAULT_DEVICE);
    }

    /**
     * The cached answer for device ordinal {@code device}; the first call probes (a few hundred milliseconds
     * without a driver).
     */
    public static Status status(int device) {
        return DEVICES.computeIfAbsent(device, CudaProbe::probeAndLog);
    }

    /** How many devices the driver shows this process: 0 without a driver or device. */
    public static int deviceCount() {
        return Holder.DRIVER.devices();
    }

    /** Whether this JVM has probed (so touched CUDA) yet. */
    static boolean probed() {
        return probed;
    }

    private static Status probeAndLog(int device) {
        Status s = probe(device);
        if (s.available()) {
            LOG.log(Level.INFO, "CUDA available: " + s.reason());
        } else {
            // whether the CPU codecs stand in is the caller's choice (--device auto), or a failure (--device gpu)
            LOG.log(Level.INFO, "CUDA unavailable on device %d: %s".formatted(device, s.reason()));
        }
        return s;
    }

    private static Driver loadDriver() {
        probed = true;
        try {
            Loader.load(org.bytedeco.cuda.global.cudart.class);
        } catch (Throwable t) {
            // UnsatisfiedLinkError (no libcuda.so.1 / libcudart.so.13) or NoClassDefFoundError
            return new Driver("CUDA driver libraries do not load: " + rootCause(t), 0, 0);
        }
        int rc = cuInit(0);
        if (rc != CUDA_SUCCESS) {
            String why = rc == 100 ? " (CUDA_ERROR_NO_DEVICE): no CUDA device" : "";
            return new Driver("cuInit returned " + rc + why, 0, 0);
        }
        int[] value = {0};
        if (cuDeviceGetCount(value) != CUDA_SUCCESS || value[0] == 0) {
            return new Driver("no CUDA device", 0, 0);
        }
        int devices = value[0];
        cuDriverGetVersion(value);
        return new Driver(null, devices, value[0]);
    }

    private static Status probe(int device) {
        Driver driver = Holder.DRIVER;
        if (driver.failure() != null) {
            return Status.unavailable(driver.failure());
        }
        if (device < 0 || device >= driver.devices()) {
            return Status.unavailable("no CUDA device %d: the driver shows %d (CUDA_VISIBLE_DEVICES=%s)".formatted(
                    device, driver.devices(), System.getenv().getOrDefault("CUDA_VISIBLE_DEVICES", "unset")));
        }
        int[] value = {0};
        int rc = cuDeviceGet(value, device);
        if (rc != CUDA_SUCCESS) {
            return Status.unavailable("cuDeviceGet for device %d returned %d".formatted(device, rc));
        }
        int handle = value[0];
        cuDeviceGetAttribute(value, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, handle);
        int major = value[0];
        cuDeviceGetAttribute(value, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, handle);
        int compute = major * 10 + value[0];
        byte[] name = new byte[256];
        cuDeviceGetName(name, name.length, handle);
        String description = "%s (compute %d.%d), device %d of %d, driver CUDA %d.%d".formatted(cString(name),
                compute / 10, compute % 10, device, driver.devices(), driver.version() / 1000,
                driver.version() % 1000 / 10);
        if (driver.version() < MIN_DRIVER) {
            return Status.unavailable(description + ": the kernels' PTX (CUDA 13.0) needs a driver >= 580");
        }
        if (compute < MIN_COMPUTE) {
            return Status.unavailable(description + ": the kernels need compute capability 8.0 or newer");
        }
        return new Status(true, description, handle);
    }

    /** The innermost cause, which names the missing library ("libcuda.so.1: cannot open shared object file"). */
    private static String rootCause(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + ": " + root.getMessage();
    }

    private static String cString(byte[] b) {
        int n = 0;
        while (n < b.length && b[n] != 0) {
            n++;
        }
        return new String(b, 0, n, StandardCharsets.UTF_8);
    }
}

package io.quantsweep.gpu;

import static org.bytedeco.cuda.global.cudart.CUDA_SUCCESS;
import static org.bytedeco.cuda.global.cudart.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR;
import static org.bytedeco.cuda.global.cudart.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR;
import static org.bytedeco.cuda.global.cudart.cuDeviceGetAttribute;
import static org.bytedeco.cuda.global.cudart.cuDeviceGetCount;
import static org.bytedeco.cuda.global.cudart.cuDeviceGetName;
import static org.bytedeco.cuda.global.cudart.cuDriverGetVersion;
import static org.bytedeco.cuda.global.cudart.cuInit;

import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import org.bytedeco.javacpp.Loader;

/**
 * Whether this JVM can run the kernels: the CUDA driver loads, has a device, and the device and driver
 * are new enough for the shipped PTX. Probed once per JVM and cached, because a failed load cannot be
 * retried (JavaCPP throws {@code UnsatisfiedLinkError} the first time and {@code NoClassDefFoundError}
 * for {@code org.bytedeco.cuda.global.cudart} ever after); the outcome is logged in one line.
 */
public final class CudaProbe {
    /** Compute capability the PTX is built for ({@code -arch=compute_80}). */
    static final int MIN_COMPUTE = 80;
    /** {@code cuDriverGetVersion} of the first driver (R580) that loads CUDA 13.0 PTX (ISA 9.0). */
    static final int MIN_DRIVER = 13000;
    /** The device the kernels run on; {@code CUDA_VISIBLE_DEVICES} chooses which physical one that is. */
    static final int DEVICE = 0;

    private static final System.Logger LOG = System.getLogger(CudaProbe.class.getName());

    /**
     * The probe's answer.
     *
     * @param available whether the kernels can be loaded on device {@link #DEVICE}
     * @param reason the device and driver when available, else why not
     */
    public record Status(boolean available, String reason) {
    }

    private static final class Holder {
        static final Status STATUS = probeAndLog();
    }

    private static volatile boolean probed;

    private CudaProbe() {
    }

    /** The cached answer; the first call probes (a few hundred milliseconds without a driver). */
    public static Status status() {
        return Holder.STATUS;
    }

    /** Whether this JVM has probed (so touched CUDA) yet. */
    static boolean probed() {
        return probed;
    }

    private static Status probeAndLog() {
        probed = true;
        Status s = probe();
        if (s.available()) {
            LOG.log(Level.INFO, "CUDA available: " + s.reason());
        } else {
            LOG.log(Level.INFO, "CUDA unavailable, the CPU codecs will be used: " + s.reason());
        }
        return s;
    }

    private static Status probe() {
        try {
            Loader.load(org.bytedeco.cuda.global.cudart.class);
        } catch (Throwable t) {
            // UnsatisfiedLinkError (no libcuda.so.1 / libcudart.so.13) or NoClassDefFoundError
            return new Status(false, "CUDA driver libraries do not load: " + rootCause(t));
        }
        int rc = cuInit(0);
        if (rc != CUDA_SUCCESS) {
            return new Status(false, "cuInit returned " + rc + (rc == 100 ? " (CUDA_ERROR_NO_DEVICE): no CUDA device" : ""));
        }
        int[] value = {0};
        if (cuDeviceGetCount(value) != CUDA_SUCCESS || value[0] == 0) {
            return new Status(false, "no CUDA device");
        }
        int devices = value[0];
        cuDriverGetVersion(value);
        int driver = value[0];
        cuDeviceGetAttribute(value, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, DEVICE);
        int major = value[0];
        cuDeviceGetAttribute(value, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, DEVICE);
        int compute = major * 10 + value[0];
        byte[] name = new byte[256];
        cuDeviceGetName(name, name.length, DEVICE);
        String description = "%s (compute %d.%d), %d device(s), driver CUDA %d.%d".formatted(cString(name),
                compute / 10, compute % 10, devices, driver / 1000, driver % 1000 / 10);
        if (driver < MIN_DRIVER) {
            return new Status(false, description + ": the kernels' PTX (CUDA 13.0) needs a driver >= 580");
        }
        if (compute < MIN_COMPUTE) {
            return new Status(false, description + ": the kernels need compute capability 8.0 or newer");
        }
        return new Status(true, description);
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

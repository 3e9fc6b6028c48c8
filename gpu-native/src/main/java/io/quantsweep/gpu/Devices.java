package io.quantsweep.gpu;

import io.quantsweep.quant.Codec;
import io.quantsweep.quant.Codecs;
import io.quantsweep.quant.GgmlType;
import java.util.Set;

/**
 * Chooses the codec of a type for a {@link Device}: {@code cpu} is always {@link Codecs#of} and never touches
 * CUDA; {@code gpu} is a {@link GpuCodec} or a {@link GpuUnavailableException} saying why not; {@code auto}
 * is the GPU where it can run the type and the CPU otherwise (the reason is logged once, by
 * {@link CudaProbe}). The system property {@value #PROPERTY} sets the default ({@code auto}).
 */
public final class Devices {
    /** System property with the default device: {@code auto}, {@code cpu} or {@code gpu}. */
    public static final String PROPERTY = "quantsweep.device";

    private Devices() {
    }

    /** The device named by {@value #PROPERTY}, {@link Device#AUTO} when it is not set. */
    public static Device configured() {
        return Device.parse(System.getProperty(PROPERTY, "auto"));
    }

    /** The types that have a GPU kernel. */
    public static Set<GgmlType> gpuTypes() {
        return CudaKernels.types();
    }

    /** The codec of {@code type} on {@link #configured()}. */
    public static Codec codec(GgmlType type) {
        return codec(type, configured());
    }

    /** The codec of {@code type} on {@code device}, with {@link CudaProbe#DEFAULT_DEVICE} as the GPU. */
    public static Codec codec(GgmlType type, Device device) {
        return codec(type, device, CudaProbe.DEFAULT_DEVICE);
    }

    /**
     * The codec of {@code type} on {@code device}, where a GPU is CUDA device ordinal {@code gpu}.
     *
     * @throws GpuUnavailableException for {@link Device#GPU} when this JVM cannot run the kernels on {@code gpu}
     * @throws IllegalArgumentException for a type without a codec on the chosen device
     */
    public static Codec codec(GgmlType type, Device device, int gpu) {
        return switch (device) {
            case CPU -> Codecs.of(type);
            case GPU -> GpuCodec.of(type, gpu);
            case AUTO -> CudaKernels.kernel(type) != null && CudaKernels.outcome(gpu).kernels() != null
                    ? GpuCodec.of(type, gpu) : Codecs.of(type);
        };
    }
}

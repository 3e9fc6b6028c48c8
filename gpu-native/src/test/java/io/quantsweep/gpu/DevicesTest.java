package io.quantsweep.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.quant.Codec;
import io.quantsweep.quant.Codecs;
import io.quantsweep.quant.GgmlType;
import org.junit.jupiter.api.Test;

/**
 * Device selection on whatever this machine is: without a usable GPU (CI) {@code auto} falls back to the
 * CPU and {@code gpu} fails with the probe's reason; with one, both give the GPU codec.
 */
class DevicesTest {
    private static final boolean GPU = CudaKernels.outcome().kernels() != null;

    @Test
    void parsesTheThreeDevicesInAnyCaseAndNamesAnythingElse() {
        assertEquals(Device.AUTO, Device.parse("auto"));
        assertEquals(Device.CPU, Device.parse(" CPU "));
        assertEquals(Device.GPU, Device.parse("Gpu"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Device.parse("tpu"));
        assertTrue(e.getMessage().contains("'tpu'"), e.getMessage());
    }

    @Test
    void autoUsesTheGpuOnlyWhereItCanRunTheType() {
        for (GgmlType type : Codecs.supported()) {
            Codec codec = Devices.codec(type, Device.AUTO);
            if (GPU && Devices.gpuTypes().contains(type)) {
                assertInstanceOf(GpuCodec.class, codec, type.toString());
                assertEquals(type, codec.type());
            } else {
                assertSame(Codecs.of(type), codec, type.toString());
            }
        }
    }

    @Test
    void gpuWithoutAUsableGpuIsAnErrorCarryingTheProbesReason() {
        if (GPU) {
            assertInstanceOf(GpuCodec.class, Devices.codec(GgmlType.Q6_K, Device.GPU));
            return;
        }
        GpuUnavailableException e = assertThrows(GpuUnavailableException.class,
                () -> Devices.codec(GgmlType.Q6_K, Device.GPU));
        assertTrue(e.getMessage().contains(CudaProbe.status().reason()), e.getMessage());
    }

    @Test
    void gpuRefusesATypeWithoutAKernelNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Devices.codec(GgmlType.F16, Device.GPU));
        assertTrue(e.getMessage().contains("F16"), e.getMessage());
        assertSame(Codecs.of(GgmlType.F16), Devices.codec(GgmlType.F16, Device.AUTO));
    }

    @Test
    void theProbeIsCachedAndExplainsItself() {
        CudaProbe.Status first = CudaProbe.status();
        assertSame(first, CudaProbe.status());
        assertTrue(!first.reason().isBlank());
        assertEquals(GPU, first.available() && CudaKernels.outcome().failure() == null);
    }
}

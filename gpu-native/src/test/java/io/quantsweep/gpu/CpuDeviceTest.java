package io.quantsweep.gpu;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.quantsweep.quant.Codecs;
import io.quantsweep.quant.GgmlType;
import org.junit.jupiter.api.Test;

/** {@code cpu} never touches CUDA. Surefire runs each test class in a fresh JVM, so nothing probed before. */
class CpuDeviceTest {

    @Test
    void cpuGivesTheCpuCodecsWithoutProbingCuda() {
        for (GgmlType type : Codecs.supported()) {
            assertSame(Codecs.of(type), Devices.codec(type, Device.CPU), type.toString());
        }
        String before = System.getProperty(Devices.PROPERTY);
        System.setProperty(Devices.PROPERTY, "CPU");
        try {
            assertSame(Codecs.of(GgmlType.Q8_0), Devices.codec(GgmlType.Q8_0));
        } finally {
            if (before == null) {
                System.clearProperty(Devices.PROPERTY);
            } else {
                System.setProperty(Devices.PROPERTY, before);
            }
        }
        assertFalse(CudaProbe.probed(), "selecting cpu probed CUDA");
    }
}

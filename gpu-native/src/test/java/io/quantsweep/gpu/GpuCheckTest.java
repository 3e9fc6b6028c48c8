package io.quantsweep.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** scripts/gpu-check on a machine without a usable GPU: a clean failure whose report says why. */
class GpuCheckTest {

    @Test
    void withoutAGpuTheReportSaysSoAndTheExitStatusIsTwo(@TempDir Path out) throws Exception {
        Assumptions.assumeTrue(CudaKernels.outcome().kernels() == null,
                "a usable GPU is present: scripts/gpu-check runs the real check there");
        ByteArrayOutputStream echo = new ByteArrayOutputStream();
        int status = GpuCheck.run(out, Path.of("../quant-udf/src/test/resources/golden"),
                new PrintStream(echo, true, StandardCharsets.UTF_8));
        assertEquals(2, status);
        String report = Files.readString(out.resolve(GpuCheck.REPORT));
        assertTrue(report.contains("RESULT: FAIL: no CUDA device usable: " + CudaProbe.status().reason()), report);
        assertTrue(report.contains("- CPU codecs: Vector API") || report.contains("- CPU codecs: scalar ("), report);
        assertEquals(report, echo.toString(StandardCharsets.UTF_8));
    }
}

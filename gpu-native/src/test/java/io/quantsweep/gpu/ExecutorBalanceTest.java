package io.quantsweep.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.quant.Codec;
import io.quantsweep.quant.Codecs;
import io.quantsweep.quant.GgmlType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The executor's balance as {@code scripts/gpu-check} measures it: the four rates are real, the share of
 * the tasks' time in quantization is a fraction, and bytes that differ from the CPU codec's are caught.
 * The CPU codec stands in for the GPU's, which runs too where a GPU is usable (and against the emulated
 * driver, as in {@link GpuCodecTest}).
 */
class ExecutorBalanceTest {
    private static ExecutorBalance balance;

    @BeforeAll
    static void twoTasks() {
        balance = new ExecutorBalance(2, 1, 1, 5);
    }

    @AfterAll
    static void close() {
        balance.close();
    }

    @Test
    void ratesAreRealAndTheQuantizationShareIsAFraction() {
        ExecutorBalance.Row r = balance.measure(GgmlType.Q8_0, Codecs.of(GgmlType.Q8_0));
        assertEquals(GgmlType.Q8_0, r.type());
        for (double rate : new double[] {r.cpuWork(), r.gpuQuantize(), r.withGpu(), r.withoutGpu()}) {
            assertTrue(rate > 0 && Double.isFinite(rate), r::toString);
        }
        assertTrue(r.quantizeShare() > 0 && r.quantizeShare() < 1, r::toString);
        assertTrue(r.identical(), r::toString);
    }

    @Test
    void theGpuCodecWhereThereIsOne() {
        Assumptions.assumeTrue(CudaKernels.outcome().kernels() != null, () -> "no usable GPU: " + CudaKernels.outcome().failure());
        ExecutorBalance.Row r = balance.measure(GgmlType.Q4_K, GpuCodec.of(GgmlType.Q4_K));
        assertTrue(r.identical(), r::toString);
        assertTrue(r.quantizeShare() > 0 && r.quantizeShare() < 1, r::toString);
    }

    @Test
    void bytesThatDifferFromTheCpuCodecAreCaught() {
        Codec cpu = Codecs.of(GgmlType.Q8_0);
        Codec flipsOneByte = new Codec() {
            @Override
            public GgmlType type() {
                return cpu.type();
            }

            @Override
            public void quantizeRow(float[] x, int xOff, int n, float[] importance, byte[] dst, int dstOff) {
                quantizeRows(x, xOff, 1, n, importance, dst, dstOff);
            }

            @Override
            public void quantizeRows(float[] x, int xOff, int rows, int cols, float[] importance, byte[] dst, int dstOff) {
                cpu.quantizeRows(x, xOff, rows, cols, importance, dst, dstOff);
                dst[dstOff + (int) type().bytesFor((long) rows * cols) - 1] ^= 1;
            }

            @Override
            public void dequantizeRow(byte[] src, int srcOff, int n, float[] y, int yOff) {
                cpu.dequantizeRow(src, srcOff, n, y, yOff);
            }
        };
        assertFalse(balance.measure(GgmlType.Q8_0, flipsOneByte).identical());
    }
}

package io.quantsweep.bench;

import io.quantsweep.quant.Codec;
import io.quantsweep.quant.Codecs;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.QualityStats;
import io.quantsweep.quant.numeric.Bf16;
import io.quantsweep.quant.numeric.Fp8BlockScaling;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The quantize job's CPU work on a unit besides quantizing it ({@code UnitQuantizer}), one call per stage,
 * in nanoseconds per value on one core: decoding FP8 with its 128 × 128 block scales, the finiteness
 * check, rounding to BF16 (the default source precision), and dequantizing each type's bytes for the
 * quality statistics. On a GPU executor this is what is left on the CPU. The unit is the job's default,
 * one DeepSeek-V3 expert matrix (2048 × 7168); {@code -Dquantsweep.codec.scalar=true} times the scalar
 * code instead of the Vector API scans.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@OperationsPerInvocation(UnitWorkBenchmark.VALUES)
public class UnitWorkBenchmark {
    static final int ROWS = 2048;
    static final int COLS = 7168;
    static final int VALUES = ROWS * COLS;
    private static final Fp8BlockScaling BLOCKS = Fp8BlockScaling.DEEPSEEK_V3;
    private static final int SCALE_COLS = Math.toIntExact(BLOCKS.scaleShape(ROWS, COLS).get(1));

    /** The type whose bytes {@link #dequantizeForStats} judges. */
    @Param({"Q4_K"})
    public String type;

    private final byte[] codes = new byte[VALUES];
    private final float[] scale = new float[Math.toIntExact(BLOCKS.blockRowEnd(ROWS)) * SCALE_COLS];
    private final float[] source = new float[VALUES];
    private final float[] rounded = new float[VALUES];
    private final float[] row = new float[COLS];
    private GgmlType ggmlType;
    private byte[] quantized;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(17);
        float[] weights = new float[VALUES];
        for (int i = 0; i < VALUES; i++) {
            weights[i] = (float) (0.02 * random.nextGaussian());
        }
        for (int r0 = 0, b = 0; r0 < ROWS; r0 += BLOCKS.blockRows(), b++) {
            BLOCKS.quantizeBlockRow(weights, r0 * COLS, BLOCKS.blockRows(), COLS, codes, r0 * COLS, scale, b * SCALE_COLS);
        }
        decodeFp8();
        roundToBf16();
        ggmlType = GgmlType.parse(type);
        quantized = Codecs.quantize(ggmlType, rounded, COLS, null);
    }

    @Benchmark
    public float[] decodeFp8() {
        BLOCKS.dequantizeRows(codes, 0, 0, ROWS, COLS, scale, SCALE_COLS, source, 0);
        return source;
    }

    @Benchmark
    public int finiteCheck() {
        return Codecs.firstNonFinite(source, 0, VALUES);
    }

    @Benchmark
    public float[] roundToBf16() {
        Bf16.round(source, 0, rounded, 0, VALUES);
        return rounded;
    }

    @Benchmark
    public QualityStats dequantizeForStats() {
        return QualityStats.ofRows(ggmlType, quantized, 0, ROWS, COLS, source, 0, row);
    }

    /** For comparison: the quantization a GPU takes off the CPU. */
    @Benchmark
    public byte[] quantize() {
        Codec codec = Codecs.of(ggmlType);
        codec.quantizeRows(rounded, 0, ROWS, COLS, null, quantized, 0);
        return quantized;
    }
}

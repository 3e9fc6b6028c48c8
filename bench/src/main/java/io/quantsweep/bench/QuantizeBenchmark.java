package io.quantsweep.bench;

import io.quantsweep.quant.Codec;
import io.quantsweep.quant.Codecs;
import io.quantsweep.quant.GgmlType;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Single-thread quantize throughput of one slab ({@link #ROWS} rows of {@link #COLS} columns, the
 * shape ggml's anchor figures were taken with) through a codec, without validation: one op = one slab.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class QuantizeBenchmark {
    static final int ROWS = 2048;
    static final int COLS = 7168;

    @Param({"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS", "F16", "BF16"})
    public String type;

    @Param({"false", "true"})
    public boolean importance;

    private Codec codec;
    private float[] rows;
    private float[] weights;
    private byte[] out;

    @Setup
    public void setUp() {
        codec = Codecs.of(GgmlType.parse(type));
        SplittableRandom random = new SplittableRandom(7);
        rows = new float[ROWS * COLS];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = (float) (0.02 * random.nextGaussian());
        }
        weights = new float[COLS];
        for (int c = 0; c < COLS; c++) {
            weights[c] = (float) Math.exp(1.5 * random.nextGaussian());
        }
        out = new byte[Math.toIntExact(codec.type().bytesFor((long) ROWS * COLS))];
    }

    @Benchmark
    public byte[] quantizeSlab() {
        codec.quantizeRows(rows, 0, ROWS, COLS, importance ? weights : null, out, 0);
        return out;
    }
}

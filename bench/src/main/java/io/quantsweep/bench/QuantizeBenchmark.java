package io.quantsweep.bench;

import io.quantsweep.quant.Codec;
import io.quantsweep.quant.Codecs;
import io.quantsweep.quant.GgmlType;
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
 * Single-thread quantize throughput of one slab ({@link #ROWS} rows of {@link #COLS} columns, the shape of
 * ggml's anchor figures) through the codec {@link Codecs#of} picks, without validation: one op = one slab,
 * timed once per iteration, so the best iteration is ggml's "best of 5".
 *
 * <p>The data is the anchor's: a 64-bit linear congruential generator (Knuth's MMIX constants, seed 12345);
 * value i is {@code ((int) (s >>> 33) % 20000 − 10000) · 2e−6f}, uniform in ±0.02, and then one importance
 * weight per column, {@code 0.5 + ((s >>> 40) % 1000) / 500}. The searches take data-dependent paths, so
 * both sides must quantize the same numbers.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class QuantizeBenchmark {
    static final int ROWS = 2048;
    static final int COLS = 7168;

    @Param({"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS",
        "F16", "BF16"})
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
        long s = 12345;
        rows = new float[ROWS * COLS];
        for (int i = 0; i < rows.length; i++) {
            s = s * 6364136223846793005L + 1442695040888963407L;
            rows[i] = ((int) (s >>> 33) % 20000 - 10000) * 2e-6f;
        }
        weights = new float[COLS];
        for (int c = 0; c < COLS; c++) {
            s = s * 6364136223846793005L + 1442695040888963407L;
            weights[c] = 0.5f + (float) ((s >>> 40) % 1000) / 500.0f;
        }
        out = new byte[Math.toIntExact(codec.type().bytesFor((long) ROWS * COLS))];
    }

    @Benchmark
    public byte[] quantizeSlab() {
        codec.quantizeRows(rows, 0, ROWS, COLS, importance ? weights : null, out, 0);
        return out;
    }
}

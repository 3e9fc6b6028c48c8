package io.quantsweep.quant.numeric;

import io.quantsweep.quant.codec.CodecImplementations;
import io.quantsweep.quant.codec.VectorScans;
import java.io.Serializable;
import java.util.List;

/**
 * Block-wise FP8 weights as DeepSeek-V3 stores them: an {@code F8_E4M3} weight {@code W} of shape
 * {@code [rows, cols]} comes with an F32 tensor {@code <weight name>_scale_inv} of shape
 * {@code [ceil(rows / blockRows), ceil(cols / blockCols)]}, and
 *
 * <pre>
 *   W[i][j] = fp8(i, j) * scale_inv[i / blockRows][j / blockCols]      (float32, integer division)
 * </pre>
 *
 * <p>one float32 multiplication of the decoded FP8 value ({@link Fp8E4M3#toFloat}), which Java's
 * round-to-nearest-even reproduces bit for bit. Despite its name, {@code scale_inv} multiplies. Partial
 * edge blocks use their block's entry: {@code kv_a_proj_with_mqa} has 576 rows, so 5 block rows, the
 * last covering 64 rows.
 */
public record Fp8BlockScaling(int blockRows, int blockCols) implements Serializable {
    private static final boolean VECTOR = CodecImplementations.vectorSkipped().isEmpty();

    /** DeepSeek-V3/R1's {@code weight_block_size: [128, 128]}. */
    public static final Fp8BlockScaling DEEPSEEK_V3 = new Fp8BlockScaling(128, 128);
    /** Appended to a weight's name to name its scale tensor ({@code ….weight} → {@code ….weight_scale_inv}). */
    public static final String SCALE_SUFFIX = "_scale_inv";

    public Fp8BlockScaling {
        if (blockRows <= 0 || blockCols <= 0) {
            throw new IllegalArgumentException("block size must be positive, got " + blockRows + "x" + blockCols);
        }
    }

    /** The name of the scale tensor of {@code weightName}. */
    public static String scaleName(String weightName) {
        return weightName + SCALE_SUFFIX;
    }

    /** The shape the scale tensor of a {@code [rows, cols]} weight must have. */
    public List<Long> scaleShape(long rows, long cols) {
        return List.of(blocks(rows, blockRows), blocks(cols, blockCols));
    }

    /** Index of the first block row past weight row {@code r1 - 1}: block rows {@code [r0 / blockRows, this)} cover rows {@code [r0, r1)}. */
    public long blockRowEnd(long r1) {
        return blocks(r1, blockRows);
    }

    /**
     * Dequantizes rows {@code [r0, r0 + rows)} of a weight with {@code cols} columns.
     *
     * @param codes the rows' FP8 codes, row-major from {@code codesOff}
     * @param scale scale rows from block row {@code r0 / blockRows} on, row-major with {@code scaleCols} per row
     * @param dst receives {@code rows * cols} floats from {@code dstOff}
     */
    public void dequantizeRows(byte[] codes, int codesOff, long r0, int rows, int cols, float[] scale, int scaleCols,
            float[] dst, int dstOff) {
        long firstBlockRow = r0 / blockRows;
        for (int r = 0; r < rows; r++) {
            int scaleRow = (int) ((r0 + r) / blockRows - firstBlockRow) * scaleCols;
            int src = codesOff + r * cols;
            int out = dstOff + r * cols;
            // block by block: a division per value would cost more than the decode itself
            for (int j0 = 0, b = 0; j0 < cols; j0 += blockCols, b++) {
                float s = scale[scaleRow + b];
                int end = Math.min(cols, j0 + blockCols);
                int j = j0 + (VECTOR ? VectorScans.decodeFp8E4M3(codes, src + j0, s, dst, out + j0, end - j0) : 0);
                for (; j < end; j++) {
                    dst[out + j] = Fp8E4M3.toFloat(codes[src + j]) * s;
                }
            }
        }
    }

    /**
     * Encodes one block row, the inverse of {@link #dequantizeRows}: {@code rows} (at most
     * {@link #blockRows}) rows of {@code cols} values from {@code x[xOff..)} become FP8 codes from
     * {@code codes[codesOff..)} and one scale per block from {@code scale[scaleOff..)}. As DeepSeek's FP8
     * cast does, a block's scale is its largest magnitude over 448 (1 where that is 0) and each code
     * is {@code fp8(x / scale)}, so {@code code * scale} is the weight.
     */
    public void quantizeBlockRow(float[] x, int xOff, int rows, int cols, byte[] codes, int codesOff, float[] scale,
            int scaleOff) {
        if (rows > blockRows) {
            throw new IllegalArgumentException(rows + " rows do not fit one block row of " + blockRows);
        }
        for (int c0 = 0, b = 0; c0 < cols; c0 += blockCols, b++) {
            int c1 = Math.min(cols, c0 + blockCols);
            float amax = 0;
            for (int r = 0; r < rows; r++) {
                for (int j = c0; j < c1; j++) {
                    amax = Math.max(amax, Math.abs(x[xOff + r * cols + j]));
                }
            }
            float s = amax / Fp8E4M3.MAX;
            if (s == 0) {
                // an all-zero block, or one so small that amax / 448 underflows
                s = 1f;
            }
            scale[scaleOff + b] = s;
            for (int r = 0; r < rows; r++) {
                for (int j = c0; j < c1; j++) {
                    codes[codesOff + r * cols + j] = Fp8E4M3.fromFloat(x[xOff + r * cols + j] / s);
                }
            }
        }
    }

    private static long blocks(long n, int block) {
        return n / block + (n % block == 0 ? 0 : 1);
    }
}

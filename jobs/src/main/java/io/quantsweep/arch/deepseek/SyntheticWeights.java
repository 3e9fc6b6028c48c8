package io.quantsweep.arch.deepseek;

import io.quantsweep.quant.LittleEndian;
import io.quantsweep.quant.numeric.Bf16;
import io.quantsweep.quant.numeric.Fp8BlockScaling;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Seeded values for a generated checkpoint, shaped like trained weights: roughly normal with
 * standard deviation {@code 1/sqrt(cols)}, a heavy tail (one value in 512 scaled by up to 20×) and, in
 * each matrix, about one input channel in 128 carrying 6–20× larger values (the outlier channels that
 * make real weights hard to quantize). Norm weights sit around 1 with a few large ones.
 *
 * <p>Each tensor draws from its own stream, seeded by the model seed and the tensor's name, so a tensor's
 * bytes do not depend on which other tensors exist or in what order they are written. Normal deviates
 * are sums of four uniforms (no transcendental functions, so the bytes are the same on every JVM).
 */
final class SyntheticWeights {
    private static final double SQRT3 = Math.sqrt(3.0);
    private static final int ROWS_PER_WRITE = 64;

    private final long seed;

    SyntheticWeights(long seed) {
        this.seed = seed;
    }

    /** A stream of rows of one tensor. */
    private final class Rows {
        private final SplittableRandom rng;
        private final float std;
        private final float[] channelScale;

        Rows(String tensor, int cols, double std, boolean outlierChannels) {
            this.rng = new SplittableRandom(seed ^ (fnv1a64(tensor) * 0x9E3779B97F4A7C15L));
            this.std = (float) std;
            this.channelScale = new float[cols];
            for (int j = 0; j < cols; j++) {
                channelScale[j] = outlierChannels && rng.nextInt(128) == 0 ? (float) (6 + 14 * rng.nextDouble()) : 1f;
            }
        }

        double normal() {
            return (rng.nextDouble() + rng.nextDouble() + rng.nextDouble() + rng.nextDouble() - 2.0) * SQRT3;
        }

        double heavyTailed() {
            double g = normal();
            return rng.nextInt(512) == 0 ? g / (0.05 + 0.95 * rng.nextDouble()) : g;
        }

        void next(float[] dst, int off) {
            for (int j = 0; j < channelScale.length; j++) {
                dst[off + j] = (float) (std * channelScale[j] * heavyTailed());
            }
        }
    }

    /**
     * Writes the FP8 E4M3 codes of a {@code [rows, cols]} weight (when {@code out} is not null) and
     * returns its {@code weight_scale_inv}, encoded block row by block row as DeepSeek's FP8 cast does
     * ({@link Fp8BlockScaling#quantizeBlockRow}).
     */
    float[] fp8Weight(String tensor, int rows, int cols, Fp8BlockScaling blocks, OutputStream out) throws IOException {
        int br = blocks.blockRows();
        int bc = blocks.blockCols();
        int blockCols = (cols + bc - 1) / bc;
        float[] scales = new float[(rows + br - 1) / br * blockCols];
        Rows gen = new Rows(tensor, cols, 1 / Math.sqrt(cols), true);
        float[] values = new float[br * cols];
        byte[] codes = new byte[br * cols];
        for (int b = 0; b * br < rows; b++) {
            int n = Math.min(br, rows - b * br);
            for (int r = 0; r < n; r++) {
                gen.next(values, r * cols);
            }
            blocks.quantizeBlockRow(values, 0, n, cols, codes, 0, scales, b * blockCols);
            if (out != null) {
                out.write(codes, 0, n * cols);
            }
        }
        return scales;
    }

    /** A BF16 matrix (embeddings, output head, router), written row block by row block. */
    void bf16Matrix(String tensor, int rows, int cols, OutputStream out) throws IOException {
        Rows gen = new Rows(tensor, cols, 1 / Math.sqrt(cols), true);
        float[] values = new float[ROWS_PER_WRITE * cols];
        byte[] bytes = new byte[2 * values.length];
        for (int r0 = 0; r0 < rows; r0 += ROWS_PER_WRITE) {
            int n = Math.min(ROWS_PER_WRITE, rows - r0);
            for (int r = 0; r < n; r++) {
                gen.next(values, r * cols);
            }
            for (int i = 0; i < n * cols; i++) {
                LittleEndian.putShort(bytes, 2 * i, Bf16.fromFloat(values[i]));
            }
            out.write(bytes, 0, 2 * n * cols);
        }
    }

    /** A BF16 RMSNorm weight: about 1 ± 0.1, one value in 64 two to six times larger. */
    void bf16Norm(String tensor, int n, OutputStream out) throws IOException {
        Rows gen = new Rows(tensor, 0, 0, false);
        byte[] bytes = new byte[2 * n];
        for (int i = 0; i < n; i++) {
            double w = 1 + 0.1 * gen.normal();
            if (gen.rng.nextInt(64) == 0) {
                w *= 2 + 4 * gen.rng.nextDouble();
            }
            LittleEndian.putShort(bytes, 2 * i, Bf16.fromFloat((float) w));
        }
        out.write(bytes);
    }

    /** An F32 bias (the router's score correction): small values around 0. */
    void f32Bias(String tensor, int n, OutputStream out) throws IOException {
        Rows gen = new Rows(tensor, 0, 0, false);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) (0.02 * gen.normal());
        }
        out.write(LittleEndian.toBytes(values));
    }

    /** 64-bit FNV-1a of the UTF-8 name: a stable per-tensor seed. */
    static long fnv1a64(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x100000001b3L;
        }
        return h;
    }
}

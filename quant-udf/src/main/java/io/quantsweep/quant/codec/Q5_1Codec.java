package io.quantsweep.quant.codec;

import io.quantsweep.quant.Codec;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.LittleEndian;
import io.quantsweep.quant.numeric.Fp16;

/**
 * Q5_1: blocks of 32, {@code half d; half m; u8 qh[4]; u8 qs[16]} (24 bytes, 6 bpw); {@code x = d·q + m},
 * q in 0..31, bits stored as in Q5_0.
 *
 * <p>Without importance this is ggml's {@code quantize_row_q5_1_ref} ({@code d = (max − min)/31},
 * {@code m = min}); with it, {@code quantize_row_q5_1_impl}: weights {@code qw·sqrt(σ² + x²)}, σ² the
 * row's mean square, and scale and offset fitted by {@code make_qkx3_quants(32, 31, −0.9, 0.05, 36)}.
 */
public final class Q5_1Codec implements Legacy32Codec {
    private static final int QK = 32;
    private static final int BLOCK_BYTES = 24;
    private static final int NMAX = 31;
    /** ggml's reference only narrows the level to u8, it does not clamp it to 31. */
    private static final int REF_LEVEL_CAP = 255;

    @Override
    public GgmlType type() {
        return GgmlType.Q5_1;
    }

    @Override
    public void quantizeRow(float[] x, int xOff, int n, float[] importance, byte[] dst, int dstOff) {
        byte[] levels = new byte[QK];
        byte[] scratch = new byte[QK];
        float[] weight = new float[QK];
        float[] min = new float[1];
        float sigma2 = importance != null ? KQuants.sumOfSquares(x, xOff, n) / n : 0f;
        for (int b = 0; b < n / QK; b++) {
            int xb = xOff + b * QK;
            int out = dstOff + b * BLOCK_BYTES;
            float d;
            float m;
            if (importance == null) {
                d = LegacyQuants.asymmetricRef(x, xb, NMAX, REF_LEVEL_CAP, levels, min);
                m = min[0];
            } else {
                KQuants.importanceWeights(importance, b * QK, x, xb, QK, sigma2, weight);
                d = KQuants.makeQkx3Quants(QK, NMAX, x, xb, weight, levels, 0, min, 0, scratch,
                        -0.9f, 0.05f, 36, false);
                m = -min[0];
            }
            storeBlock(d, m, levels, 0, dst, out);
        }
    }

    @Override
    public int nmax() {
        return NMAX;
    }

    @Override
    public int refLevelCap() {
        return REF_LEVEL_CAP;
    }

    @Override
    public boolean withMin() {
        return true;
    }

    @Override
    public void storeScales(float d, float m, byte[] dst, int out) {
        LittleEndian.putShort(dst, out, Fp16.fromFloat(d));
        LittleEndian.putShort(dst, out + 2, Fp16.fromFloat(m));
    }

    @Override
    public int qsOffset() {
        return 8;
    }

    @Override
    public int qhOffset() {
        return 4;
    }

    @Override
    public void dequantizeRow(byte[] src, int srcOff, int n, float[] y, int yOff) {
        for (int b = 0; b < n / QK; b++) {
            int in = srcOff + b * BLOCK_BYTES;
            int yb = yOff + b * QK;
            float d = Fp16.toFloat(LittleEndian.getShort(src, in));
            float m = Fp16.toFloat(LittleEndian.getShort(src, in + 2));
            int qh = LittleEndian.getInt(src, in + 4);
            for (int j = 0; j < 16; j++) {
                int q = src[in + 8 + j] & 0xFF;
                y[yb + j] = ((q & 15) | ((qh >>> j) & 1) << 4) * d + m;
                y[yb + j + 16] = ((q >> 4) | ((qh >>> (j + 16)) & 1) << 4) * d + m;
            }
        }
    }
}

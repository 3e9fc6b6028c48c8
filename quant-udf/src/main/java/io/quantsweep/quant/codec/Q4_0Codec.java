package io.quantsweep.quant.codec;

import io.quantsweep.quant.Codec;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.LittleEndian;
import io.quantsweep.quant.numeric.Fp16;

/**
 * Q4_0: blocks of 32, {@code half d; u8 qs[16]} (18 bytes, 4.5 bpw); {@code x = d·(q − 8)}, q in 0..15,
 * byte {@code j} holding element {@code j} in its low nibble and {@code j+16} in its high one.
 *
 * <p>Without importance this is ggml's {@code quantize_row_q4_0_ref} ({@code d = max/−8}); with it,
 * {@code quantize_row_q4_0_impl}: weights {@code qw·sqrt(σ² + x²)}, σ² the row's mean square, and the
 * scale searched by {@code make_qx_quants(32, 8)}.
 */
public final class Q4_0Codec implements Legacy32Codec {
    private static final int QK = 32;
    private static final int BLOCK_BYTES = 18;
    private static final int NMAX = 8;

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    @Override
    public void quantizeRow(float[] x, int xOff, int n, float[] importance, byte[] dst, int dstOff) {
        byte[] levels = new byte[QK];
        float[] weight = new float[QK];
        float sigma2 = importance != null ? KQuants.sumOfSquares(x, xOff, n) / n : 0f;
        for (int b = 0; b < n / QK; b++) {
            int xb = xOff + b * QK;
            int out = dstOff + b * BLOCK_BYTES;
            float d;
            if (importance == null) {
                d = LegacyQuants.symmetricRef(x, xb, NMAX, levels);
            } else {
                KQuants.importanceWeights(importance, b * QK, x, xb, QK, sigma2, weight);
                d = KQuants.makeQxQuants(QK, NMAX, x, xb, levels, 0, weight, 0);
            }
            storeBlock(d, 0f, levels, 0, dst, out);
        }
    }

    @Override
    public int nmax() {
        return NMAX;
    }

    @Override
    public int refLevelCap() {
        return 2 * NMAX - 1;
    }

    @Override
    public boolean withMin() {
        return false;
    }

    @Override
    public void storeScales(float d, float m, byte[] dst, int out) {
        LittleEndian.putShort(dst, out, Fp16.fromFloat(d));
    }

    @Override
    public int qsOffset() {
        return 2;
    }

    @Override
    public int qhOffset() {
        return -1;
    }

    @Override
    public void dequantizeRow(byte[] src, int srcOff, int n, float[] y, int yOff) {
        for (int b = 0; b < n / QK; b++) {
            int in = srcOff + b * BLOCK_BYTES;
            int yb = yOff + b * QK;
            float d = Fp16.toFloat(LittleEndian.getShort(src, in));
            for (int j = 0; j < 16; j++) {
                int q = src[in + 2 + j] & 0xFF;
                y[yb + j] = ((q & 15) - 8) * d;
                y[yb + j + 16] = ((q >> 4) - 8) * d;
            }
        }
    }
}

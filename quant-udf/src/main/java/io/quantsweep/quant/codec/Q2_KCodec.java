package io.quantsweep.quant.codec;

import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.LittleEndian;
import io.quantsweep.quant.numeric.Fp16;

/**
 * Q2_K: super-blocks of 256 in 16 sub-blocks of 16, {@code u8 scales[16]; u8 qs[64]; half d; half dmin}
 * (84 bytes, 2.625 bpw). Sub-block j has a 4-bit scale {@code sc} (low nibble of {@code scales[j]}) and a
 * 4-bit min {@code m} (high nibble); element e has a 2-bit level q in the plane {@code qs} (bits
 * {@code 2s..2s+1} of {@code qs[32h + l]} for {@code e = 128h + 32s + l}), and
 * {@code x = (d·sc)·q − dmin·m}.
 *
 * <p>Quantizes as ggml's {@code quantize_row_q2_K_ref} (per sub-block {@code make_qkx2_quants} with
 * weights |x| and absolute error, scales and mins scaled linearly to 4 bits) or, with importance
 * weights, {@code quantize_row_q2_K_impl} ({@code make_qkx3_quants} with weights
 * {@code qw·sqrt(σ² + x²)}, scales and mins quantized by {@code make_qp_quants}); both then refit the
 * levels to the stored fp16 scales.
 */
public final class Q2_KCodec implements LevelCodec {
    static final int QK = 256;
    static final int SUB = 16;
    static final int N_SUB = QK / SUB;
    private static final int BLOCK_BYTES = 84;
    private static final int QS = 16;
    private static final int D = 80;
    private static final int DMIN = 82;
    static final int NMAX = 3;

    @Override
    public GgmlType type() {
        return GgmlType.Q2_K;
    }

    @Override
    public void quantizeRow(float[] x, int xOff, int n, float[] importance, byte[] dst, int dstOff) {
        byte[] L = new byte[QK];
        byte[] laux = new byte[SUB];
        float[] weights = new float[SUB];
        float[] scales = new float[N_SUB];
        float[] mins = new float[N_SUB];
        float[] sw = new float[N_SUB];
        byte[] ls = new byte[N_SUB];
        byte[] lm = new byte[N_SUB];
        for (int b = 0; b < n / QK; b++) {
            int xb = xOff + b * QK;
            int out = dstOff + b * BLOCK_BYTES;
            if (importance == null) {
                for (int j = 0; j < N_SUB; j++) {
                    int xs = xb + SUB * j;
                    refWeights(x, xs, weights);
                    scales[j] = KQuants.makeQkx2Quants(SUB, NMAX, x, xs, weights, L, SUB * j, mins, j, laux,
                            -0.5f, 0.1f, 15, true);
                }
                encodeScalesRef(scales, mins, 0, dst, out);
            } else {
                float sigma2 = importanceSigma2(KQuants.sumOfSquares(x, xb, QK));
                for (int j = 0; j < N_SUB; j++) {
                    int xs = xb + SUB * j;
                    sw[j] = KQuants.importanceWeights(importance, b * QK + SUB * j, x, xs, SUB, sigma2, weights);
                    scales[j] = KQuants.makeQkx3Quants(SUB, NMAX, x, xs, weights, L, SUB * j, mins, j, laux,
                            -0.9f, 0.05f, 36, false);
                }
                encodeScalesImpl(scales, mins, sw, 0, ls, lm, dst, out);
            }
            requantizeAndPack(x, xb, L, 0, dst, out, Refit.SCALAR);
        }
    }

    /** The reference quantizer's weights of the sub-block at {@code x[xs..xs+16)}: {@code |x|}. */
    static void refWeights(float[] x, int xs, float[] weights) {
        for (int l = 0; l < SUB; l++) {
            weights[l] = Math.abs(x[xs + l]);
        }
    }

    /** The importance quantizer's σ² of a super-block from the sum of its 256 squares: {@code Σx²/256}. */
    static float importanceSigma2(float sumX2) {
        return sumX2 / QK;
    }

    /**
     * {@code quantize_row_q2_K_ref}'s scale nibbles, d and dmin: the super-block's 16 sub-block results at
     * {@code scales[off..off+16)}, {@code mins[off..)} scaled linearly to 4 bits of the largest.
     */
    static void encodeScalesRef(float[] scales, float[] mins, int off, byte[] dst, int out) {
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < N_SUB; j++) {
            if (scales[off + j] > maxScale) {
                maxScale = scales[off + j];
            }
            if (mins[off + j] > maxMin) {
                maxMin = mins[off + j];
            }
        }
        if (maxScale > 0) {
            float iscale = 15f / maxScale;
            for (int j = 0; j < N_SUB; j++) {
                dst[out + j] = (byte) KQuants.nearestInt(iscale * scales[off + j]);
            }
            LittleEndian.putShort(dst, out + D, Fp16.fromFloat(maxScale / 15f));
        } else {
            for (int j = 0; j < N_SUB; j++) {
                dst[out + j] = 0;
            }
            LittleEndian.putShort(dst, out + D, Fp16.fromFloat(0f));
        }
        if (maxMin > 0) {
            float iscale = 15f / maxMin;
            for (int j = 0; j < N_SUB; j++) {
                dst[out + j] |= (byte) (KQuants.nearestInt(iscale * mins[off + j]) << 4);
            }
            LittleEndian.putShort(dst, out + DMIN, Fp16.fromFloat(maxMin / 15f));
        } else {
            LittleEndian.putShort(dst, out + DMIN, Fp16.fromFloat(0f));
        }
    }

    /**
     * {@code quantize_row_q2_K_impl}'s scale nibbles, d and dmin: {@code make_qp_quants} on the 16
     * sub-block results at {@code scales[off..off+16)}, {@code mins[off..)}, weighted by {@code sw[off..)}.
     */
    static void encodeScalesImpl(float[] scales, float[] mins, float[] sw, int off, byte[] ls, byte[] lm,
                                 byte[] dst, int out) {
        float dm = KQuants.makeQpQuants(N_SUB, 15, scales, off, ls, sw, off);
        float mm = KQuants.makeQpQuants(N_SUB, 15, mins, off, lm, sw, off);
        LittleEndian.putShort(dst, out + D, Fp16.fromFloat(dm));
        LittleEndian.putShort(dst, out + DMIN, Fp16.fromFloat(mm));
        for (int j = 0; j < N_SUB; j++) {
            dst[out + j] = (byte) (ls[j] | lm[j] << 4);
        }
    }

    /** Both quantizers' tail: the levels {@code L[lOff..lOff+256)} refitted to the stored scales, then packed. */
    static void requantizeAndPack(float[] x, int xb, byte[] L, int lOff, byte[] dst, int out, Refit refit) {
        float d = Fp16.toFloat(LittleEndian.getShort(dst, out + D));
        float dmin = Fp16.toFloat(LittleEndian.getShort(dst, out + DMIN));
        for (int j = 0; j < N_SUB; j++) {
            int sc = dst[out + j] & 0xFF;
            KQuants.requantizeWithMin(refit, SUB, NMAX, x, xb + SUB * j, d, sc & 15, dmin, sc >> 4, L, lOff + SUB * j);
        }
        KQuants.pack2(L, lOff, dst, out + QS);
    }

    @Override
    public void dequantizeRow(byte[] src, int srcOff, int n, float[] y, int yOff, LevelScaler levels) {
        byte[] L = new byte[QK];
        for (int b = 0; b < n / QK; b++) {
            int in = srcOff + b * BLOCK_BYTES;
            KQuants.unpack2(src, in + QS, L);
            float d = Fp16.toFloat(LittleEndian.getShort(src, in + D));
            float dmin = Fp16.toFloat(LittleEndian.getShort(src, in + DMIN));
            for (int j = 0; j < N_SUB; j++) {
                int sc = src[in + j] & 0xFF;
                levels.scale(L, SUB * j, SUB, d * (sc & 15), dmin * (sc >> 4), y, yOff + b * QK + SUB * j);
            }
        }
    }
}

package io.quantsweep.quant.codec;

import io.quantsweep.quant.Codec;
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
public final class Q2_KCodec implements Codec {
    private static final int QK = 256;
    private static final int SUB = 16;
    private static final int N_SUB = QK / SUB;
    private static final int BLOCK_BYTES = 84;
    private static final int QS = 16;
    private static final int D = 80;
    private static final int DMIN = 82;
    private static final int NMAX = 3;

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
                quantizeBlockRef(x, xb, L, laux, weights, scales, mins, dst, out);
            } else {
                quantizeBlockImpl(x, xb, importance, b * QK, L, laux, weights, scales, mins, sw, ls, lm, dst, out);
            }
            float d = Fp16.toFloat(LittleEndian.getShort(dst, out + D));
            float dmin = Fp16.toFloat(LittleEndian.getShort(dst, out + DMIN));
            for (int j = 0; j < N_SUB; j++) {
                int sc = dst[out + j] & 0xFF;
                KQuants.requantizeWithMin(SUB, NMAX, x, xb + SUB * j, d, sc & 15, dmin, sc >> 4, L, SUB * j);
            }
            KQuants.pack2(L, dst, out + QS);
        }
    }

    /** {@code quantize_row_q2_K_ref} up to the requantization: levels, scale nibbles, d and dmin. */
    private static void quantizeBlockRef(float[] x, int xb, byte[] L, byte[] laux, float[] weights,
                                         float[] scales, float[] mins, byte[] dst, int out) {
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < N_SUB; j++) {
            for (int l = 0; l < SUB; l++) {
                weights[l] = Math.abs(x[xb + SUB * j + l]);
            }
            scales[j] = KQuants.makeQkx2Quants(SUB, NMAX, x, xb + SUB * j, weights, L, SUB * j, mins, j, laux,
                    -0.5f, 0.1f, 15, true);
            if (scales[j] > maxScale) {
                maxScale = scales[j];
            }
            if (mins[j] > maxMin) {
                maxMin = mins[j];
            }
        }
        if (maxScale > 0) {
            float iscale = 15f / maxScale;
            for (int j = 0; j < N_SUB; j++) {
                dst[out + j] = (byte) KQuants.nearestInt(iscale * scales[j]);
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
                dst[out + j] |= (byte) (KQuants.nearestInt(iscale * mins[j]) << 4);
            }
            LittleEndian.putShort(dst, out + DMIN, Fp16.fromFloat(maxMin / 15f));
        } else {
            LittleEndian.putShort(dst, out + DMIN, Fp16.fromFloat(0f));
        }
    }

    /** {@code quantize_row_q2_K_impl} up to the requantization; {@code qw[qwOff..qwOff+256)} weighs the block. */
    private static void quantizeBlockImpl(float[] x, int xb, float[] qw, int qwOff, byte[] L, byte[] laux,
                                          float[] weights, float[] scales, float[] mins, float[] sw,
                                          byte[] ls, byte[] lm, byte[] dst, int out) {
        float sumx2 = 0;
        for (int i = 0; i < QK; i++) {
            sumx2 += x[xb + i] * x[xb + i];
        }
        float sigma2 = sumx2 / QK;
        for (int j = 0; j < N_SUB; j++) {
            float sumw = 0;
            for (int l = 0; l < SUB; l++) {
                float xi = x[xb + SUB * j + l];
                weights[l] = qw[qwOff + SUB * j + l] * (float) Math.sqrt(sigma2 + xi * xi);
                sumw += weights[l];
            }
            sw[j] = sumw;
            scales[j] = KQuants.makeQkx3Quants(SUB, NMAX, x, xb + SUB * j, weights, L, SUB * j, mins, j, laux,
                    -0.9f, 0.05f, 36, false);
        }
        float dm = KQuants.makeQpQuants(N_SUB, 15, scales, ls, sw);
        float mm = KQuants.makeQpQuants(N_SUB, 15, mins, lm, sw);
        LittleEndian.putShort(dst, out + D, Fp16.fromFloat(dm));
        LittleEndian.putShort(dst, out + DMIN, Fp16.fromFloat(mm));
        for (int j = 0; j < N_SUB; j++) {
            dst[out + j] = (byte) (ls[j] | lm[j] << 4);
        }
    }

    @Override
    public void dequantizeRow(byte[] src, int srcOff, int n, float[] y, int yOff) {
        for (int b = 0; b < n / QK; b++) {
            int in = srcOff + b * BLOCK_BYTES;
            int yb = yOff + b * QK;
            float d = Fp16.toFloat(LittleEndian.getShort(src, in + D));
            float dmin = Fp16.toFloat(LittleEndian.getShort(src, in + DMIN));
            for (int e = 0; e < QK; e++) {
                int sc = src[in + e / SUB] & 0xFF;
                float dl = d * (sc & 15);
                float ml = dmin * (sc >> 4);
                y[yb + e] = dl * KQuants.q2(src, in + QS, e) - ml;
            }
        }
    }
}

package io.quantsweep.quant.codec;

import io.quantsweep.quant.Codec;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.LittleEndian;
import io.quantsweep.quant.numeric.Fp16;
import java.util.Arrays;

/**
 * Q3_K: super-blocks of 256 in 16 sub-blocks of 16, {@code u8 hmask[32]; u8 qs[64]; u8 scales[12];
 * half d} (110 bytes, 3.4375 bpw); {@code x = d·(S_j − 32)·(q − 4)} with a 6-bit sub-block scale
 * {@code S_j} and a 3-bit quant {@code q}.
 *
 * <p>Element {@code e = 128h + 32s + l} keeps its low two bits in {@code qs[32h + l]} bits
 * {@code 2s..2s+1} and its high bit ({@code q ≥ 4}) in {@code hmask[e % 32]} bit {@code e / 32}. The low
 * nibble of {@code S_j} is in {@code scales[j % 8]} (low nibble for {@code j < 8}, high for {@code j ≥ 8}),
 * its top two bits in {@code scales[8 + j % 4]} bits {@code 2(j/4)..2(j/4)+1}.
 *
 * <p>Without importance this is ggml's {@code quantize_row_q3_K_ref} (sub-block scales from
 * {@code make_q3_quants}, rescaled to the largest); with it {@code quantize_row_q3_K_impl} (weighted
 * {@code make_qx_quants} for the quants and again for the scales). Both then fit the quants to the
 * decoded fp16 scale.
 */
public final class Q3_KCodec implements Codec {
    private static final int QK = 256;
    private static final int BLOCK_BYTES = 110;
    private static final int QS = 32;
    private static final int SCALES = 96;
    private static final int D = 108;

    @Override
    public GgmlType type() {
        return GgmlType.Q3_K;
    }

    @Override
    public void quantizeRow(float[] x, int xOff, int n, float[] importance, byte[] dst, int dstOff) {
        byte[] quants = new byte[QK];
        float[] scales = new float[QK / 16];
        float[] weights = importance == null ? null : new float[16];
        float[] subWeights = importance == null ? null : new float[QK / 16];
        byte[] scaleQuants = importance == null ? null : new byte[QK / 16];
        for (int b = 0; b < n / QK; b++) {
            int xb = xOff + b * QK;
            int out = dstOff + b * BLOCK_BYTES;
            Arrays.fill(dst, out + SCALES, out + D, (byte) 0);
            if (importance == null) {
                quantizeScalesRef(x, xb, quants, scales, dst, out);
            } else {
                quantizeScalesImpl(x, xb, importance, b * QK, quants, scales, weights, subWeights, scaleQuants,
                        dst, out);
            }
            requantizeAndPack(x, xb, quants, dst, out);
        }
    }

    /** {@code quantize_row_q3_K_ref} up to {@code y.d}: sub-block scales as 6 bits of the largest. */
    private static void quantizeScalesRef(float[] x, int xb, byte[] quants, float[] scales, byte[] dst, int out) {
        float maxScale = 0f;
        float amax = 0f;
        for (int j = 0; j < QK / 16; j++) {
            scales[j] = KQuants.makeQ3Quants(16, 4, x, xb + 16 * j, quants, 16 * j);
            float scale = Math.abs(scales[j]);
            if (scale > amax) {
                amax = scale;
                maxScale = scales[j];
            }
        }
        if (maxScale != 0f) {
            float iscale = -32f / maxScale;
            for (int j = 0; j < QK / 16; j++) {
                byte l = (byte) KQuants.nearestInt(iscale * scales[j]);
                packScale(j, KQuants.clamp(l, -32, 31) + 32, dst, out);
            }
            LittleEndian.putShort(dst, out + D, Fp16.fromFloat(1 / iscale));
        } else {
            LittleEndian.putShort(dst, out + D, Fp16.fromFloat(0f));
        }
    }

    /**
     * {@code quantize_row_q3_K_impl} up to {@code y.d}: weights {@code qw·sqrt(σ² + x²)} with
     * {@code σ² = 2·Σx²/256}, and the 16 scales quantized as a group weighted by their sub-blocks' weight sums.
     */
    private static void quantizeScalesImpl(float[] x, int xb, float[] qw, int qwOff, byte[] quants, float[] scales,
                                           float[] weights, float[] subWeights, byte[] scaleQuants, byte[] dst,
                                           int out) {
        float sumx2 = 0f;
        for (int i = 0; i < QK; i++) {
            sumx2 += x[xb + i] * x[xb + i];
        }
        float sigma2 = 2 * sumx2 / QK;
        for (int j = 0; j < QK / 16; j++) {
            float sumw = 0f;
            for (int l = 0; l < 16; l++) {
                float xi = x[xb + 16 * j + l];
                weights[l] = qw[qwOff + 16 * j + l] * (float) Math.sqrt(sigma2 + xi * xi);
            }
            for (int l = 0; l < 16; l++) {
                sumw += weights[l];
            }
            subWeights[j] = sumw;
            scales[j] = KQuants.makeQxQuants(16, 4, x, xb + 16 * j, quants, 16 * j, weights, 0);
        }
        float dBlock = KQuants.makeQxQuants(QK / 16, 32, scales, 0, scaleQuants, 0, subWeights, 0);
        for (int j = 0; j < QK / 16; j++) {
            packScale(j, scaleQuants[j], dst, out);
        }
        LittleEndian.putShort(dst, out + D, Fp16.fromFloat(dBlock));
    }

    /** ORs the 6-bit scale {@code s} of sub-block {@code j} into the zeroed {@code scales[12]}. */
    private static void packScale(int j, int s, byte[] dst, int out) {
        int sc = out + SCALES;
        if (j < 8) {
            dst[sc + j] = (byte) (s & 0xF);
        } else {
            dst[sc + j - 8] |= (byte) ((s & 0xF) << 4);
        }
        dst[sc + 8 + j % 4] |= (byte) ((s >> 4) << (2 * (j / 4)));
    }

    /** The 6-bit scale {@code S_j} of sub-block {@code j} (signed scale + 32). */
    private static int scale6(byte[] src, int in, int j) {
        int sc = in + SCALES;
        int low = j < 8 ? src[sc + j] & 0xF : (src[sc + j - 8] & 0xFF) >> 4;
        return low | (((src[sc + 8 + j % 4] & 0xFF) >> (2 * (j / 4))) & 3) << 4;
    }

    /**
     * The common tail of both quantizers: quants refitted to the stored fp16 scale (a sub-block whose
     * decoded scale is 0 keeps the search's quants, as ggml does), then the high bits and the 2-bit plane.
     */
    private static void requantizeAndPack(float[] x, int xb, byte[] quants, byte[] dst, int out) {
        float d = Fp16.toFloat(LittleEndian.getShort(dst, out + D));
        for (int j = 0; j < QK / 16; j++) {
            float dj = d * (scale6(dst, out, j) - 32);
            if (dj == 0f) {
                continue;
            }
            for (int i = 0; i < 16; i++) {
                int l = KQuants.nearestInt(x[xb + 16 * j + i] / dj);
                quants[16 * j + i] = (byte) (KQuants.clamp(l, -4, 3) + 4);
            }
        }
        Arrays.fill(dst, out, out + QS, (byte) 0);
        for (int e = 0; e < QK; e++) {
            if (quants[e] > 3) {
                dst[out + e % 32] |= (byte) (1 << (e / 32));
                quants[e] -= 4;
            }
        }
        KQuants.pack2(quants, dst, out + QS);
    }

    @Override
    public void dequantizeRow(byte[] src, int srcOff, int n, float[] y, int yOff) {
        for (int b = 0; b < n / QK; b++) {
            int in = srcOff + b * BLOCK_BYTES;
            int yb = yOff + b * QK;
            float d = Fp16.toFloat(LittleEndian.getShort(src, in + D));
            for (int j = 0; j < QK / 16; j++) {
                float dl = d * (scale6(src, in, j) - 32);
                for (int i = 0; i < 16; i++) {
                    int e = 16 * j + i;
                    int low = KQuants.q2(src, in + QS, e);
                    boolean high = (src[in + e % 32] & (1 << (e / 32))) != 0;
                    y[yb + e] = dl * (low - (high ? 0 : 4));
                }
            }
        }
    }
}

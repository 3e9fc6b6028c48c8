package io.quantsweep.quant.codec;

import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.LittleEndian;
import io.quantsweep.quant.numeric.Fp16;
import java.util.Arrays;

/**
 * Q6_K: super-blocks of 256 in 16 sub-blocks of 16, {@code u8 ql[128]; u8 qh[64]; i8 scales[16]; half d}
 * (210 bytes, 6.5625 bpw); {@code x = d·scales[e/16]·(q − 32)} with a 6-bit quant {@code q}.
 *
 * <p>Element {@code e = 128h + 32s + l} keeps its low nibble in {@code ql[64h + 32(s%2) + l]} (low nibble
 * for {@code s < 2}, high for {@code s ≥ 2}) and its top two bits in {@code qh[32h + l]} bits
 * {@code 2s..2s+1}.
 *
 * <p>Without importance this is ggml's {@code quantize_row_q6_K_ref}, with it {@code quantize_row_q6_K_impl};
 * the two differ only in the weights of {@code make_qx_quants} ({@code x²}, or the raw importance).
 * The quants are then refitted to the decoded fp16 scale.
 */
public final class Q6_KCodec implements LevelCodec {
    static final int QK = 256;
    static final int SUB = 16;
    static final int N_SUB = QK / SUB;
    private static final int BLOCK_BYTES = 210;
    private static final int QH = 128;
    private static final int SCALES = 192;
    private static final int D = 208;

    @Override
    public GgmlType type() {
        return GgmlType.Q6_K;
    }

    @Override
    public void quantizeRow(float[] x, int xOff, int n, float[] importance, byte[] dst, int dstOff) {
        byte[] quants = new byte[QK];
        float[] scales = new float[N_SUB];
        for (int b = 0; b < n / QK; b++) {
            int xb = xOff + b * QK;
            for (int j = 0; j < N_SUB; j++) {
                scales[j] = KQuants.makeQxQuants(SUB, 32, x, xb + SUB * j, quants, SUB * j, importance,
                        b * QK + SUB * j);
            }
            encodeAndPack(x, xb, scales, 0, quants, 0, dst, dstOff + b * BLOCK_BYTES, Refit.SCALAR);
        }
    }

    /**
     * Everything after the sub-block searches: the 16 scales at {@code scales[off..off+16)} as int8 of the
     * one of largest magnitude and {@code d}, then the quants {@code quants[qOff..qOff+256)} refitted to the
     * decoded scales and packed. A super-block whose scales are all below {@link KQuants#GROUP_MAX_EPS} is
     * all zero bytes.
     */
    static void encodeAndPack(float[] x, int xb, float[] scales, int off, byte[] quants, int qOff, byte[] dst,
                              int out, Refit refit) {
        float maxScale = KQuants.firstMaxAbs(scales, off, N_SUB);
        if (Math.abs(maxScale) < KQuants.GROUP_MAX_EPS) {
            Arrays.fill(dst, out, out + BLOCK_BYTES, (byte) 0);
            return;
        }
        float iscale = -128f / maxScale;
        LittleEndian.putShort(dst, out + D, Fp16.fromFloat(1 / iscale));
        for (int j = 0; j < N_SUB; j++) {
            dst[out + SCALES + j] = (byte) Math.min(127, KQuants.nearestInt(iscale * scales[off + j]));
        }
        float d = Fp16.toFloat(LittleEndian.getShort(dst, out + D));
        for (int j = 0; j < N_SUB; j++) {
            float dj = d * dst[out + SCALES + j];
            if (dj == 0f) {
                refit.keep(SUB, quants, qOff + SUB * j);
                continue;
            }
            refit.symmetric(SUB, x, xb + SUB * j, dj, -32, 31, quants, qOff + SUB * j);
        }
        for (int h = 0; h < 2; h++) {
            for (int l = 0; l < 32; l++) {
                int e = qOff + 128 * h + l;
                int q0 = quants[e];
                int q1 = quants[e + 32];
                int q2 = quants[e + 64];
                int q3 = quants[e + 96];
                dst[out + 64 * h + l] = (byte) ((q0 & 0xF) | (q2 & 0xF) << 4);
                dst[out + 64 * h + 32 + l] = (byte) ((q1 & 0xF) | (q3 & 0xF) << 4);
                dst[out + QH + 32 * h + l] = (byte) (q0 >> 4 | (q1 >> 4) << 2 | (q2 >> 4) << 4 | (q3 >> 4) << 6);
            }
        }
    }

    @Override
    public void dequantizeRow(byte[] src, int srcOff, int n, float[] y, int yOff, LevelScaler levels) {
        byte[] L = new byte[QK];
        for (int b = 0; b < n / QK; b++) {
            int in = srcOff + b * BLOCK_BYTES;
            // value e = 128h + 32s + l: low nibble s / 2 of ql[64h + 32(s % 2) + l], high bits 2s of qh[32h + l]
            for (int h = 0; h < 2; h++) {
                for (int s = 0; s < 4; s++) {
                    for (int l = 0; l < 32; l++) {
                        int low = (src[in + 64 * h + 32 * (s % 2) + l] >> (4 * (s / 2))) & 0xF;
                        int high = (src[in + QH + 32 * h + l] >> (2 * s)) & 3;
                        L[128 * h + 32 * s + l] = (byte) ((low | high << 4) - 32);
                    }
                }
            }
            float d = Fp16.toFloat(LittleEndian.getShort(src, in + D));
            for (int j = 0; j < N_SUB; j++) {
                // d · level − 0 is d · level, bit for bit
                levels.scale(L, SUB * j, SUB, d * src[in + SCALES + j], 0f, y, yOff + b * QK + SUB * j);
            }
        }
    }
}

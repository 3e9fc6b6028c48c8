package io.quantsweep.quant.codec;

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
public final class Q3_KCodec implements LevelCodec {
    static final int QK = 256;
    static final int SUB = 16;
    static final int N_SUB = QK / SUB;
    private static final int BLOCK_BYTES = 110;
    static final int QS = 32;
    private static final int SCALES = 96;
    private static final int D = 108;

    @Override
    public GgmlType type() {
        return GgmlType.Q3_K;
    }

    @Override
    public void quantizeRow(float[] x, int xOff, int n, float[] importance, byte[] dst, int dstOff) {
        byte[] quants = new byte[QK];
        float[] scales = new float[N_SUB];
        float[] weights = new float[SUB];
        float[] sw = new float[N_SUB];
        byte[] scaleQuants = new byte[N_SUB];
        for (int b = 0; b < n / QK; b++) {
            int xb = xOff + b * QK;
            int out = dstOff + b * BLOCK_BYTES;
            if (importance == null) {
                for (int j = 0; j < N_SUB; j++) {
                    scales[j] = KQuants.makeQ3Quants(SUB, 4, x, xb + SUB * j, quants, SUB * j);
                }
                encodeScalesRef(scales, 0, dst, out);
            } else {
                float sigma2 = importanceSigma2(KQuants.sumOfSquares(x, xb, QK));
                for (int j = 0; j < N_SUB; j++) {
                    int xs = xb + SUB * j;
                    sw[j] = KQuants.importanceWeights(importance, b * QK + SUB * j, x, xs, SUB, sigma2, weights);
                    scales[j] = KQuants.makeQxQuants(SUB, 4, x, xs, quants, SUB * j, weights, 0);
                }
                encodeScalesImpl(scales, sw, 0, scaleQuants, dst, out);
            }
            requantizeAndPack(x, xb, quants, 0, dst, out, Refit.SCALAR);
        }
    }

    /** The importance quantizer's σ² of a super-block from the sum of its 256 squares: {@code 2·Σx²/256}. */
    static float importanceSigma2(float sumX2) {
        return 2 * sumX2 / QK;
    }

    /**
     * {@code quantize_row_q3_K_ref}'s scales and {@code d}: the super-block's 16 sub-block scales at
     * {@code scales[off..off+16)} as 6 bits of the one of largest magnitude.
     */
    static void encodeScalesRef(float[] scales, int off, byte[] dst, int out) {
        Arrays.fill(dst, out + SCALES, out + D, (byte) 0);
        float maxScale = KQuants.firstMaxAbs(scales, off, N_SUB);
        if (maxScale != 0f) {
            float iscale = -32f / maxScale;
            for (int j = 0; j < N_SUB; j++) {
                byte l = (byte) KQuants.nearestInt(iscale * scales[off + j]);
                packScale(j, KQuants.clamp(l, -32, 31) + 32, dst, out);
            }
            LittleEndian.putShort(dst, out + D, Fp16.fromFloat(1 / iscale));
        } else {
            LittleEndian.putShort(dst, out + D, Fp16.fromFloat(0f));
        }
    }

    /**
     * {@code quantize_row_q3_K_impl}'s scales and {@code d}: the 16 sub-block scales at
     * {@code scales[off..off+16)} quantized as a group by weighted {@code make_qx_quants}, weighted by the
     * sub-blocks' weight sums {@code sw[off..)}; {@code scaleQuants} is scratch for 16 levels.
     */
    static void encodeScalesImpl(float[] scales, float[] sw, int off, byte[] scaleQuants, byte[] dst, int out) {
        float dBlock = KQuants.makeQxQuants(N_SUB, 32, scales, off, scaleQuants, 0, sw, off);
        storeScalesImpl(dBlock, scaleQuants, 0, dst, out);
    }

    /** Stores what {@link #encodeScalesImpl} found: {@code d} and the 16 levels {@code scaleQuants[qOff..)}. */
    static void storeScalesImpl(float dBlock, byte[] scaleQuants, int qOff, byte[] dst, int out) {
        Arrays.fill(dst, out + SCALES, out + D, (byte) 0);
        for (int j = 0; j < N_SUB; j++) {
            packScale(j, scaleQuants[qOff + j], dst, out);
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

    /** The common tail of both quantizers: {@link #requantize}, then the high bits and the 2-bit plane. */
    static void requantizeAndPack(float[] x, int xb, byte[] quants, int qOff, byte[] dst, int out, Refit refit) {
        requantize(x, xb, quants, qOff, dst, out, refit);
        packHighBits(quants, qOff, dst, out);
        KQuants.pack2(quants, qOff, dst, out + QS);
    }

    /**
     * Quants {@code quants[qOff..qOff+256)} (0..7) refitted to the stored fp16 scale; a sub-block whose
     * decoded scale is 0 keeps the search's quants, as ggml does.
     */
    static void requantize(float[] x, int xb, byte[] quants, int qOff, byte[] dst, int out, Refit refit) {
        float d = Fp16.toFloat(LittleEndian.getShort(dst, out + D));
        for (int j = 0; j < N_SUB; j++) {
            float dj = d * (scale6(dst, out, j) - 32);
            if (dj == 0f) {
                refit.keep(SUB, quants, qOff + SUB * j);
                continue;
            }
            refit.symmetric(SUB, x, xb + SUB * j, dj, -4, 3, quants, qOff + SUB * j);
        }
    }

    /** {@code hmask}: bit {@code e / 32} of byte {@code e % 32} is quant e's bit 2, which is then cleared. */
    static void packHighBits(byte[] quants, int qOff, byte[] dst, int out) {
        for (int l = 0; l < 32; l++) {
            int hmask = 0;
            for (int j = 0; j < 8; j++) {
                int e = qOff + 32 * j + l;
                hmask |= (quants[e] >> 2) << j;
                quants[e] &= 3;
            }
            dst[out + l] = (byte) hmask;
        }
    }

    @Override
    public void dequantizeRow(byte[] src, int srcOff, int n, float[] y, int yOff, LevelScaler levels) {
        byte[] L = new byte[QK];
        for (int b = 0; b < n / QK; b++) {
            int in = srcOff + b * BLOCK_BYTES;
            KQuants.unpack2(src, in + QS, L);
            // value 32k + l has its high bit at bit k of hmask[l]; the level is low - 4 when it is clear
            for (int k = 0; k < 8; k++) {
                for (int l = 0; l < 32; l++) {
                    L[32 * k + l] -= (byte) (4 - 4 * (src[in + l] >> k & 1));
                }
            }
            float d = Fp16.toFloat(LittleEndian.getShort(src, in + D));
            for (int j = 0; j < N_SUB; j++) {
                // d · level − 0 is d · level, bit for bit
                levels.scale(L, SUB * j, SUB, d * (scale6(src, in, j) - 32), 0f, y, yOff + b * QK + SUB * j);
            }
        }
    }
}

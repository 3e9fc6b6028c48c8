package io.quantsweep.quant.codec;

import io.quantsweep.quant.Codec;
import io.quantsweep.quant.LittleEndian;
import io.quantsweep.quant.numeric.Fp16;

/**
 * The legacy 32-blocks (Q4_0, Q5_0: {@code x = d·(q − nmax)}; Q4_1, Q5_1: {@code x = d·q + m}): one
 * quantize/dequantize pair for the four, driven by what each type declares — the level range of its
 * searches, whether it carries a min, where its nibbles and fifth bits sit. Their Vector API codec
 * ({@link LegacyVectorCodec}) reads the same declarations.
 *
 * <p>Without importance: ggml's {@code quantize_row_qX_Y_ref} ({@code d = max/−nmax} of the first
 * max-abs element, or {@code d = (max − min)/nmax, m = min}); with it, {@code quantize_row_qX_Y_impl}:
 * weights {@code qw·sqrt(σ² + x²)}, σ² the row's mean square, and the scale searched by
 * {@code make_qx_quants(32, nmax)} or scale and offset fitted by {@code make_qkx3_quants(32, nmax,
 * −0.9, 0.05, 36)}.
 */
interface Legacy32Codec extends Codec {
    /** {@code make_qx_quants}' nmax (levels −nmax..nmax−1), or {@code make_qkx3_quants}' (levels 0..nmax). */
    int nmax();

    /** The reference quantizer's cap on a level: {@code 2·nmax − 1} (Q4_0, Q5_0), 15 (Q4_1), 255 (Q5_1). */
    int refLevelCap();

    /** Whether blocks carry a min, fitted by {@code make_qkx3_quants}; else the scale alone, by {@code make_qx_quants}. */
    boolean withMin();

    /** Stores the scale {@code d} (fp16) and, for the types with one, the min {@code m} at the block's start. */
    default void storeScales(float d, float m, byte[] dst, int out) {
        LittleEndian.putShort(dst, out, Fp16.fromFloat(d));
        if (withMin()) {
            LittleEndian.putShort(dst, out + 2, Fp16.fromFloat(m));
        }
    }

    /** Where the 16 bytes of low nibbles start in a block: byte j holds level j low and level j+16 high. */
    int qsOffset();

    /** Where the little-endian u32 of fifth bits (bit j: level j's bit 4) starts in a block, or −1 without one. */
    int qhOffset();

    /** Stores the block of scale {@code d}, min {@code m} (ignored without one) and levels {@code L[lOff..lOff+32)}. */
    default void storeBlock(float d, float m, byte[] L, int lOff, byte[] dst, int out) {
        storeScales(d, m, dst, out);
        if (qhOffset() < 0) {
            LegacyQuants.packNibbles32(L, lOff, dst, out + qsOffset());
        } else {
            LegacyQuants.packQ5(L, lOff, dst, out + qhOffset(), out + qsOffset());
        }
    }

    @Override
    default void quantizeRow(float[] x, int xOff, int n, float[] importance, byte[] dst, int dstOff) {
        int qk = 32;
        int blockBytes = type().blockBytes();
        byte[] levels = new byte[qk];
        byte[] scratch = new byte[qk];
        float[] weight = new float[qk];
        float[] min = new float[1];
        float sigma2 = importance != null ? KQuants.sumOfSquares(x, xOff, n) / n : 0f;
        for (int b = 0; b < n / qk; b++) {
            int xb = xOff + b * qk;
            float d;
            float m = 0f;
            if (importance == null && withMin()) {
                d = LegacyQuants.asymmetricRef(x, xb, nmax(), refLevelCap(), levels, min);
                m = min[0];
            } else if (importance == null) {
                d = LegacyQuants.symmetricRef(x, xb, nmax(), levels);
            } else {
                KQuants.importanceWeights(importance, b * qk, x, xb, qk, sigma2, weight);
                if (withMin()) {
                    d = KQuants.makeQkx3Quants(qk, nmax(), x, xb, weight, levels, 0, min, 0, scratch,
                            -0.9f, 0.05f, 36, false);
                    m = -min[0];
                } else {
                    d = KQuants.makeQxQuants(qk, nmax(), x, xb, levels, 0, weight, 0);
                }
            }
            storeBlock(d, m, levels, 0, dst, dstOff + b * blockBytes);
        }
    }

    @Override
    default void dequantizeRow(byte[] src, int srcOff, int n, float[] y, int yOff) {
        int blockBytes = type().blockBytes();
        for (int b = 0; b < n / 32; b++) {
            int in = srcOff + b * blockBytes;
            int yb = yOff + b * 32;
            float d = Fp16.toFloat(LittleEndian.getShort(src, in));
            float m = withMin() ? Fp16.toFloat(LittleEndian.getShort(src, in + 2)) : 0f;
            int qh = qhOffset() < 0 ? 0 : LittleEndian.getInt(src, in + qhOffset());
            for (int j = 0; j < 16; j++) {
                int q = src[in + qsOffset() + j] & 0xFF;
                int lo = (q & 15) | ((qh >>> j) & 1) << 4;
                int hi = (q >> 4) | ((qh >>> (j + 16)) & 1) << 4;
                if (withMin()) {
                    y[yb + j] = lo * d + m;
                    y[yb + j + 16] = hi * d + m;
                } else {
                    y[yb + j] = (lo - nmax()) * d;
                    y[yb + j + 16] = (hi - nmax()) * d;
                }
            }
        }
    }
}

package io.quantsweep.quant.codec;

import io.quantsweep.quant.LittleEndian;
import io.quantsweep.quant.numeric.Fp16;

/**
 * Block bodies shared by the 32-element legacy types (Q4_0, Q4_1, Q5_0, Q5_1) and by IQ4_NL/IQ4_XS:
 * their reference searches, nibble and fifth-bit packing, and ggml's {@code iq4_nl_impl}. Same float
 * discipline as {@link KQuants}: ggml's operation order, no fused multiply-add.
 */
final class LegacyQuants {
    private LegacyQuants() {
    }

    /**
     * The block body of ggml's {@code quantize_row_q4_0_ref} ({@code nmax} 8) and
     * {@code quantize_row_q5_0_ref} ({@code nmax} 16): {@code d = max / −nmax} of the first max-abs
     * element, levels {@code min(2·nmax−1, trunc(x/d + nmax + 0.5))} into {@code L[0..32)}; returns d.
     * The truncation is x86's ({@link KQuants#cvtt}): where {@code 1/d} overflowed, ±∞ and NaN give level 0.
     */
    static float symmetricRef(float[] x, int xOff, int nmax, byte[] L) {
        float d = KQuants.firstMaxAbs(x, xOff, 32) / -nmax;
        float id = d != 0f ? 1f / d : 0f;
        float offset = nmax + 0.5f;
        for (int j = 0; j < 32; j++) {
            L[j] = (byte) Math.min(2 * nmax - 1, KQuants.cvtt(x[xOff + j] * id + offset));
        }
        return d;
    }

    /**
     * The block body of ggml's {@code quantize_row_q4_1_ref} ({@code nmax} 15) and
     * {@code quantize_row_q5_1_ref} ({@code nmax} 31): {@code d = (max − min)/nmax}, levels
     * {@code min(qmax, trunc((x − min)/d + 0.5))} into {@code L[0..32)}; writes min to {@code min[0]} and
     * returns d. Q4_1 clamps ({@code qmax} 15); Q5_1 only narrows to u8 ({@code qmax} 255), and its
     * levels never exceed 31 anyway. The truncation is x86's ({@link KQuants#cvtt}), as in
     * {@link #symmetricRef}.
     */
    static float asymmetricRef(float[] x, int xOff, int nmax, int qmax, byte[] L, float[] min) {
        float lo = Float.MAX_VALUE;
        float hi = -Float.MAX_VALUE;
        for (int j = 0; j < 32; j++) {
            float v = x[xOff + j];
            if (v < lo) {
                lo = v;
            }
            if (v > hi) {
                hi = v;
            }
        }
        float d = (hi - lo) / nmax;
        float id = d != 0f ? 1f / d : 0f;
        for (int j = 0; j < 32; j++) {
            L[j] = (byte) Math.min(qmax, KQuants.cvtt((x[xOff + j] - lo) * id + 0.5f));
        }
        min[0] = lo;
        return d;
    }

    /**
     * Packs 32 four-bit levels {@code L[lOff..lOff+32)} as ggml's 32-blocks store them: byte {@code j}
     * of {@code dst[off..off+16)} holds level {@code j} low and level {@code j+16} high.
     */
    static void packNibbles32(byte[] L, int lOff, byte[] dst, int off) {
        for (int j = 0; j < 16; j++) {
            dst[off + j] = (byte) ((L[lOff + j] & 15) | (L[lOff + j + 16] & 15) << 4);
        }
    }

    /**
     * Decodes 32 IQ4 nibbles packed as {@link #packNibbles32} at {@code src[off..off+16)}:
     * {@code y[yOff+i] = d·K[q_i]}, {@code K} = {@link KQuants#KVALUES_IQ4NL}.
     */
    static void dequantizeIq4Nibbles(byte[] src, int off, float d, float[] y, int yOff) {
        for (int j = 0; j < 16; j++) {
            int q = src[off + j] & 0xFF;
            y[yOff + j] = d * KQuants.KVALUES_IQ4NL[q & 15];
            y[yOff + j + 16] = d * KQuants.KVALUES_IQ4NL[q >> 4];
        }
    }

    /**
     * Packs 32 five-bit levels {@code L[lOff..lOff+32)} as Q5_0/Q5_1 store them: the low four bits as
     * {@link #packNibbles32} at {@code dst[qsOff]}, bit 4 of level {@code j} as bit {@code j} of the
     * little-endian u32 at {@code dst[qhOff]}.
     */
    static void packQ5(byte[] L, int lOff, byte[] dst, int qhOff, int qsOff) {
        int qh = 0;
        for (int j = 0; j < 32; j++) {
            qh |= ((L[lOff + j] & 0x10) >>> 4) << j;
        }
        LittleEndian.putInt(dst, qhOff, qh);
        packNibbles32(L, lOff, dst, qsOff);
    }

    /**
     * ggml's {@code quantize_row_iq4_nl_impl} for one super-block of {@code sb} values (32: IQ4_NL, one
     * scale; 256: IQ4_XS, eight 6-bit sub-scales under one fp16 scale) with {@code ntry} = 7, as
     * {@code ggml_quantize_chunk} calls it: each 32-block's scale by {@link #iq4BlockScale}, weighted
     * {@code qw[qwOff..)}-based or by {@code x²} when {@code qw} is null, then {@link #iq4Encode}.
     * {@code weight} (32), {@code L} ({@code sb}) and {@code scales} ({@code sb/32}) are scratch.
     */
    static void quantizeIq4NlImpl(int sb, float[] x, int xOff, float[] qw, int qwOff, byte[] dst, int off,
                                  float[] weight, byte[] L, float[] scales) {
        float sigma2 = iq4Sigma2(KQuants.sumOfSquares(x, xOff, sb), sb);
        for (int ib = 0; ib < sb / 32; ib++) {
            int xb = xOff + 32 * ib;
            if (qw != null) {
                KQuants.importanceWeights(qw, qwOff + 32 * ib, x, xb, 32, sigma2, weight);
            } else {
                for (int j = 0; j < 32; j++) {
                    weight[j] = x[xb + j] * x[xb + j];
                }
            }
            scales[ib] = iq4BlockScale(x, xb, weight);
        }
        iq4Encode(sb, x, xOff, scales, 0, L, dst, off, Refit.SCALAR);
    }

    /** The σ² of an IQ4 super-block of {@code sb} values from the sum of their squares: {@code Σx²·(2/sb)}. */
    static float iq4Sigma2(float sumX2, int sb) {
        return sumX2 * (2f / sb);
    }

    /**
     * The scale of one 32-block at {@code x[xb..)} with weights {@code weight[0..32)}: from
     * {@code d = −max/K[0]} (max the first max-abs value), the least-squares scale of the nearest levels,
     * improved over 15 trial inverse scales {@code (itry + K[0])/max}; 0 for a block below
     * {@link KQuants#GROUP_MAX_EPS}. The levels themselves are refitted afterwards ({@link #iq4Encode}).
     */
    static float iq4BlockScale(float[] x, int xb, float[] weight) {
        final int ntry = 7;
        final byte[] values = KQuants.KVALUES_IQ4NL;
        float max = KQuants.firstMaxAbs(x, xb, 32);
        if (Math.abs(max) < KQuants.GROUP_MAX_EPS) {
            return 0f;
        }
        float d = -max / values[0];
        float id = 1f / d;
        float sumqx = 0f;
        float sumq2 = 0f;
        for (int j = 0; j < 32; j++) {
            float q = values[KQuants.bestIndexInt8(16, values, id * x[xb + j])];
            sumqx += weight[j] * q * x[xb + j];
            sumq2 += weight[j] * q * q;
        }
        d = sumq2 > 0f ? sumqx / sumq2 : 0f;
        float best = d * sumqx;
        for (int itry = -ntry; itry <= ntry; itry++) {
            id = (itry + values[0]) / max;
            sumqx = 0f;
            sumq2 = 0f;
            for (int j = 0; j < 32; j++) {
                float q = values[KQuants.bestIndexInt8(16, values, id * x[xb + j])];
                sumqx += weight[j] * q * x[xb + j];
                sumq2 += weight[j] * q * q;
            }
            if (sumq2 > 0f && sumqx * sumqx > best * sumq2) {
                d = sumqx / sumq2;
                best = d * sumqx;
            }
        }
        return d;
    }

    /**
     * The end of {@code quantize_row_iq4_nl_impl} for the super-block at {@code x[xOff..xOff+sb)} whose
     * 32-block scales are {@code scales[sOff..)}: the fp16 scale (IQ4_XS: of the largest sub-scale over −32,
     * and the 6-bit sub-scales), the levels refitted to the scales by {@code refit}, and the nibbles.
     * {@code L} ({@code sb}) is scratch.
     */
    static void iq4Encode(int sb, float[] x, int xOff, float[] scales, int sOff, byte[] L, byte[] dst, int off,
                          Refit refit) {
        int qsOff;
        if (sb == 32) {
            LittleEndian.putShort(dst, off, Fp16.fromFloat(scales[sOff]));
            // The indices are refitted to the unrounded scale, not to the fp16 value stored.
            float id = scales[sOff] != 0f ? 1f / scales[sOff] : 0f;
            refit.nonLinear(32, x, xOff, id, L, 0);
            qsOff = off + 2;
        } else {
            float d = -KQuants.firstMaxAbs(scales, sOff, sb / 32) / 32;
            LittleEndian.putShort(dst, off, Fp16.fromFloat(d));
            float id = d != 0f ? 1f / d : 0f;
            int scalesH = 0;
            for (int ib = 0; ib < sb / 32; ib++) {
                int l = KQuants.clamp(KQuants.nearestInt(id * scales[sOff + ib]), -32, 31);
                float dl = d * l;
                float idl = dl != 0f ? 1f / dl : 0f;
                refit.nonLinear(32, x, xOff + 32 * ib, idl, L, 32 * ib);
                l += 32;
                int scalesL = off + 4 + ib / 2;
                dst[scalesL] = (byte) (ib % 2 == 0 ? l & 15 : dst[scalesL] | (l & 15) << 4);
                scalesH |= (l >> 4) << (2 * ib);
            }
            LittleEndian.putShort(dst, off + 2, (short) scalesH);
            qsOff = off + 8;
        }
        for (int i = 0; i < sb / 32; i++) {
            packNibbles32(L, 32 * i, dst, qsOff + 16 * i);
        }
    }
}

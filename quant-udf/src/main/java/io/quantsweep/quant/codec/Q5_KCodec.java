package io.quantsweep.quant.codec;

import io.quantsweep.quant.GgmlType;

/**
 * Q5_K: super-blocks of 256 in 8 sub-blocks of 32,
 * {@code half d; half dmin; u8 scales[12]; u8 qh[32]; u8 qs[128]} (176 bytes, 5.5 bpw);
 * {@code x = (d·sc_j)·q − dmin·m_j} with 6-bit {@code sc_j, m_j} and 5-bit levels q. The low 4 bits
 * are stored as in Q4_K ({@code qs}); the fifth bit (16) of element e is bit {@code e / 32} of
 * {@code qh[e % 32]}. Quantization: see {@link ScaleMinK4Codec}.
 */
public final class Q5_KCodec extends ScaleMinK4Codec {
    private static final int QH = LEVELS;
    private static final int QS = LEVELS + 32;

    public Q5_KCodec() {
        super(new Params(31, -0.5f, 15, true));
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_K;
    }

    @Override
    void packLevels(byte[] L, int lOff, byte[] dst, int blockOff) {
        for (int l = 0; l < 32; l++) {
            int qh = 0;
            for (int s = 0; s < 8; s++) {
                qh |= (L[lOff + 32 * s + l] >> 4) << s;
            }
            dst[blockOff + QH + l] = (byte) qh;
        }
        packNibbles(L, lOff, dst, blockOff + QS);
    }

    @Override
    void unpackLevels(byte[] src, int blockOff, byte[] L) {
        unpackNibbles(src, blockOff + QS, L);
        for (int l = 0; l < 32; l++) {
            int qh = src[blockOff + QH + l];
            for (int s = 0; s < 8; s++) {
                L[32 * s + l] |= (byte) ((qh >> s & 1) << 4);
            }
        }
    }
}

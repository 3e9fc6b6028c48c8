package io.quantsweep.quant.codec;

import io.quantsweep.quant.GgmlType;

/**
 * Q4_K: super-blocks of 256 in 8 sub-blocks of 32,
 * {@code half d; half dmin; u8 scales[12]; u8 qs[128]} (144 bytes, 4.5 bpw); {@code x = (d·sc_j)·q − dmin·m_j}
 * with 6-bit {@code sc_j, m_j} and 4-bit levels q. Element {@code e = 64c + 32hi + l} sits in the low
 * (hi = 0) or high (hi = 1) nibble of {@code qs[32c + l]}. Quantization: see {@link ScaleMinK4Codec}.
 */
public final class Q4_KCodec extends ScaleMinK4Codec {
    public Q4_KCodec() {
        super(new Params(15, -1f, 20, false));
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_K;
    }

    @Override
    void packLevels(byte[] L, int lOff, byte[] dst, int blockOff) {
        packNibbles(L, lOff, dst, blockOff + LEVELS);
    }

    @Override
    void unpackLevels(byte[] src, int blockOff, byte[] L) {
        unpackNibbles(src, blockOff + LEVELS, L);
    }
}

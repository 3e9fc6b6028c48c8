package io.quantsweep.quant.codec;

import io.quantsweep.quant.GgmlType;

/**
 * Q5_0: blocks of 32, {@code half d; u8 qh[4]; u8 qs[16]} (22 bytes, 5.5 bpw); {@code x = d·(q − 16)},
 * q in 0..31: the low four bits in {@code qs} as in Q4_0, bit 4 of element {@code j} in bit {@code j}
 * of the little-endian u32 {@code qh}.
 * Quantized and decoded by {@link Legacy32Codec}'s shared pair.
 */
public final class Q5_0Codec implements Legacy32Codec {
    private static final int NMAX = 16;

    @Override
    public GgmlType type() {
        return GgmlType.Q5_0;
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
    public int qsOffset() {
        return 6;
    }

    @Override
    public int qhOffset() {
        return 2;
    }
}

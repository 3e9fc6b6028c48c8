package io.quantsweep.quant.codec;

import io.quantsweep.quant.GgmlType;

/**
 * Q4_1: blocks of 32, {@code half d; half m; u8 qs[16]} (20 bytes, 5 bpw); {@code x = d·q + m}, q in
 * 0..15, nibbles as in Q4_0.
 * Quantized and decoded by {@link Legacy32Codec}'s shared pair.
 */
public final class Q4_1Codec implements Legacy32Codec {
    private static final int NMAX = 15;

    @Override
    public GgmlType type() {
        return GgmlType.Q4_1;
    }

    @Override
    public int nmax() {
        return NMAX;
    }
    @Override
    public int refLevelCap() {
        return NMAX;
    }

    @Override
    public boolean withMin() {
        return true;
    }

    @Override
    public int qsOffset() {
        return 4;
    }

    @Override
    public int qhOffset() {
        return -1;
    }
}

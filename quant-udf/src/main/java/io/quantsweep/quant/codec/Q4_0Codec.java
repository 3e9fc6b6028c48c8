package io.quantsweep.quant.codec;

import io.quantsweep.quant.GgmlType;

/**
 * Q4_0: blocks of 32, {@code half d; u8 qs[16]} (18 bytes, 4.5 bpw); {@code x = d·(q − 8)}, q in 0..15,
 * byte {@code j} holding element {@code j} in its low nibble and {@code j+16} in its high one.
 * Quantized and decoded by {@link Legacy32Codec}'s shared pair.
 */
public final class Q4_0Codec implements Legacy32Codec {
    private static final int NMAX = 8;

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
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
        return 2;
    }

    @Override
    public int qhOffset() {
        return -1;
    }
}

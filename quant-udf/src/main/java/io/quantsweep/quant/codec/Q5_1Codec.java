package io.quantsweep.quant.codec;

import io.quantsweep.quant.GgmlType;

/**
 * Q5_1: blocks of 32, {@code half d; half m; u8 qh[4]; u8 qs[16]} (24 bytes, 6 bpw); {@code x = d·q + m},
 * q in 0..31, bits stored as in Q5_0.
 * Quantized and decoded by {@link Legacy32Codec}'s shared pair.
 */
public final class Q5_1Codec implements Legacy32Codec {
    private static final int NMAX = 31;

    @Override
    public GgmlType type() {
        return GgmlType.Q5_1;
    }

    @Override
    public int nmax() {
        return NMAX;
    }

    /** ggml's reference only narrows the level to u8, it does not clamp it to 31. */
    @Override
    public int refLevelCap() {
        return 255;
    }

    @Override
    public boolean withMin() {
        return true;
    }

    @Override
    public int qsOffset() {
        return 8;
    }

    @Override
    public int qhOffset() {
        return 4;
    }
}

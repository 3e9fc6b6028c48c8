package io.quantsweep.quant.codec;

import io.quantsweep.quant.Codec;

/**
 * The legacy 32-blocks (Q4_0, Q5_0: {@code x = d·(q − nmax)}; Q4_1, Q5_1: {@code x = d·q + m}) as their
 * Vector API codec ({@link LegacyVectorCodec}) sees them: the level range of their importance search and
 * how a finished block is stored.
 */
interface Legacy32Codec extends Codec {
    /** {@code make_qx_quants}' nmax (levels −nmax..nmax−1), or {@code make_qkx3_quants}' (levels 0..nmax). */
    int nmax();

    /** The reference quantizer's cap on a level: {@code 2·nmax − 1} (Q4_0, Q5_0), 15 (Q4_1), 255 (Q5_1). */
    int refLevelCap();

    /** Whether blocks carry a min, fitted by {@code make_qkx3_quants}; else the scale alone, by {@code make_qx_quants}. */
    boolean withMin();

    /** Stores the scale {@code d} (fp16) and, for the types with one, the min {@code m} at the block's start. */
    void storeScales(float d, float m, byte[] dst, int out);

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
}

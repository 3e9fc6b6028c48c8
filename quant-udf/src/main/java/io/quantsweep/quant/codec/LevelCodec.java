package io.quantsweep.quant.codec;

import io.quantsweep.quant.Codec;

/**
 * A K-quant codec whose decoding is "unpack a super-block's levels, then value = d · level − m per
 * sub-block" (Q2_K, Q3_K, Q4_K, Q5_K, Q6_K): the last step is a {@link LevelScaler}, scalar here and in
 * Vector API lanes in the vector codecs, with the same operations, so the same floats.
 */
interface LevelCodec extends Codec {

    /** Writes {@code y[yOff + l] = d * L[lOff + l] - m} for {@code l < n}: a sub-block's values from its levels. */
    @FunctionalInterface
    interface LevelScaler {
        void scale(byte[] L, int lOff, int n, float d, float m, float[] y, int yOff);
    }

    /** The scalar {@link LevelScaler}: the definition. */
    LevelScaler SCALAR = (L, lOff, n, d, m, y, yOff) -> {
        for (int l = 0; l < n; l++) {
            y[yOff + l] = d * L[lOff + l] - m;
        }
    };

    @Override
    default void dequantizeRow(byte[] src, int srcOff, int n, float[] y, int yOff) {
        dequantizeRow(src, srcOff, n, y, yOff, SCALAR);
    }

    /** {@link #dequantizeRow}, each sub-block's values written by {@code levels}. */
    void dequantizeRow(byte[] src, int srcOff, int n, float[] y, int yOff, LevelScaler levels);
}

package io.quantsweep.quant.codec;

import io.quantsweep.quant.Codec;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.LittleEndian;
import io.quantsweep.quant.numeric.Fp16;

/**
 * IQ4_NL: blocks of 32, {@code half d; u8 qs[16]} (18 bytes, 4.5 bpw); {@code x = d·K[q]} with the
 * non-linear table {@code K = kvalues_iq4nl} (−127..113), nibbles as in Q4_0.
 *
 * <p>Quantizes as {@code ggml_quantize_chunk} does, with ggml's {@code quantize_row_iq4_nl_impl} for
 * every block, {@code ntry = 7} (not the {@code ntry = −1} of {@code quantize_row_iq4_nl_ref}): weights
 * {@code x²} without importance, {@code qw·sqrt(σ² + x²)} with it, σ² twice the block's mean square.
 */
public final class IQ4_NLCodec implements Codec {
    private static final int QK = 32;
    private static final int BLOCK_BYTES = 18;

    @Override
    public GgmlType type() {
        return GgmlType.IQ4_NL;
    }

    @Override
    public void quantizeRow(float[] x, int xOff, int n, float[] importance, byte[] dst, int dstOff) {
        float[] weight = new float[QK];
        byte[] levels = new byte[QK];
        float[] scales = new float[1];
        for (int b = 0; b < n / QK; b++) {
            LegacyQuants.quantizeIq4NlImpl(QK, x, xOff + b * QK, importance, b * QK, dst, dstOff + b * BLOCK_BYTES,
                    weight, levels, scales);
        }
    }

    @Override
    public void dequantizeRow(byte[] src, int srcOff, int n, float[] y, int yOff) {
        for (int b = 0; b < n / QK; b++) {
            int in = srcOff + b * BLOCK_BYTES;
            float d = Fp16.toFloat(LittleEndian.getShort(src, in));
            LegacyQuants.dequantizeIq4Nibbles(src, in + 2, d, y, yOff + b * QK);
        }
    }
}

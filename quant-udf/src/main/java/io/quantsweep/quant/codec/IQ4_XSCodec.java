package io.quantsweep.quant.codec;

import io.quantsweep.quant.Codec;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.LittleEndian;
import io.quantsweep.quant.numeric.Fp16;

/**
 * IQ4_XS: super-blocks of 256, {@code half d; u16 scales_h; u8 scales_l[4]; u8 qs[128]} (136 bytes,
 * 4.25 bpw): eight sub-blocks of 32, each with a 6-bit scale {@code ls} (low four bits in nibble
 * {@code ib%2} of {@code scales_l[ib/2]}, high two in bits {@code 2ib..2ib+1} of {@code scales_h}) and
 * nibbles as in IQ4_NL; {@code x = (d·(ls − 32))·K[q]}, {@code K = kvalues_iq4nl}.
 *
 * <p>Quantizes with ggml's {@code quantize_row_iq4_nl_impl} over each super-block, {@code ntry = 7}:
 * weights {@code x²} without importance, {@code qw·sqrt(σ² + x²)} with it, σ² twice the super-block's
 * mean square.
 */
public final class IQ4_XSCodec implements Codec {
    private static final int QK = 256;
    private static final int BLOCK_BYTES = 136;

    @Override
    public GgmlType type() {
        return GgmlType.IQ4_XS;
    }

    @Override
    public void quantizeRow(float[] x, int xOff, int n, float[] importance, byte[] dst, int dstOff) {
        float[] weight = new float[32];
        byte[] levels = new byte[QK];
        float[] scales = new float[QK / 32];
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
            int scalesH = LittleEndian.getShort(src, in + 2) & 0xFFFF;
            for (int ib = 0; ib < QK / 32; ib++) {
                int ls = (((src[in + 4 + ib / 2] & 0xFF) >> (4 * (ib % 2))) & 15) | (((scalesH >> (2 * ib)) & 3) << 4);
                float dl = d * (ls - 32);
                LegacyQuants.dequantizeIq4Nibbles(src, in + 8 + 16 * ib, dl, y, yOff + b * QK + 32 * ib);
            }
        }
    }
}

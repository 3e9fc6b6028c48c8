package io.quantsweep.quant.codec;

import io.quantsweep.quant.Codec;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.LittleEndian;
import io.quantsweep.quant.numeric.Fp16;

/**
 * Q8_0: blocks of 32, {@code half d; int8 qs[32]} (34 bytes, 8.5 bpw); {@code x = d·q}.
 *
 * <p>ggml has one quantizer for Q8_0 and ignores an importance vector, so this does too.
 */
public final class Q8_0Codec implements Codec {
    static final int QK = 32;
    static final int BLOCK_BYTES = 34;

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    @Override
    public void quantizeRow(float[] x, int xOff, int n, float[] importance, byte[] dst, int dstOff) {
        for (int b = 0; b < n / QK; b++) {
            int xb = xOff + b * QK;
            int out = dstOff + b * BLOCK_BYTES;
            float amax = 0f;
            for (int i = 0; i < QK; i++) {
                float a = Math.abs(x[xb + i]);
                amax = amax > a ? amax : a;
            }
            float d = amax / 127f;
            float id = d != 0f ? 1f / d : 0f;
            LittleEndian.putShort(dst, out, Fp16.fromFloat(d));
            for (int i = 0; i < QK; i++) {
                dst[out + 2 + i] = (byte) KQuants.roundf(x[xb + i] * id);
            }
        }
    }

    @Override
    public void dequantizeRow(byte[] src, int srcOff, int n, float[] y, int yOff) {
        for (int b = 0; b < n / QK; b++) {
            int in = srcOff + b * BLOCK_BYTES;
            float d = Fp16.toFloat(LittleEndian.getShort(src, in));
            for (int i = 0; i < QK; i++) {
                y[yOff + b * QK + i] = src[in + 2 + i] * d;
            }
        }
    }
}

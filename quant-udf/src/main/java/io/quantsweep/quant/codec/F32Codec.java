package io.quantsweep.quant.codec;

import io.quantsweep.quant.Codec;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.LittleEndian;

/** F32: 4 bytes per value, the float's own little-endian bits (a byte copy in ggml). */
public final class F32Codec implements Codec {
    @Override
    public GgmlType type() {
        return GgmlType.F32;
    }

    @Override
    public void quantizeRow(float[] x, int xOff, int n, float[] importance, byte[] dst, int dstOff) {
        for (int i = 0; i < n; i++) {
            LittleEndian.putFloat(dst, dstOff + 4 * i, x[xOff + i]);
        }
    }

    @Override
    public void dequantizeRow(byte[] src, int srcOff, int n, float[] y, int yOff) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = LittleEndian.getFloat(src, srcOff + 4 * i);
        }
    }
}

package io.quantsweep.quant.codec;

import io.quantsweep.quant.Codec;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.LittleEndian;
import io.quantsweep.quant.numeric.Fp16;

/** F16: 2 bytes per value, IEEE binary16, rounded to nearest even ({@link Fp16}). */
public final class F16Codec implements Codec {
    @Override
    public GgmlType type() {
        return GgmlType.F16;
    }

    @Override
    public void quantizeRow(float[] x, int xOff, int n, float[] importance, byte[] dst, int dstOff) {
        for (int i = 0; i < n; i++) {
            LittleEndian.putShort(dst, dstOff + 2 * i, Fp16.fromFloat(x[xOff + i]));
        }
    }

    @Override
    public void dequantizeRow(byte[] src, int srcOff, int n, float[] y, int yOff) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = Fp16.toFloat(LittleEndian.getShort(src, srcOff + 2 * i));
        }
    }
}

package io.quantsweep.quant.codec;

import io.quantsweep.quant.Codec;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.LittleEndian;
import io.quantsweep.quant.numeric.Fp16;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * F16 ({@link F16Codec}) with {@link Fp16#fromFloat}'s steps in Vector API lanes, a row tail shorter than a
 * vector by the scalar method. Its unsigned comparisons become signed ones of operands with the sign bit
 * flipped, which order the same.
 */
final class F16VectorCodec implements Codec {
    private static final VectorSpecies<Float> F = KQuantsVector.F;
    private static final int LANES = KQuantsVector.LANES;
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(16 * LANES));
    private static final float SCALE_TO_INF = 0x1.0p112f;
    private static final float SCALE_TO_ZERO = 0x1.0p-110f;

    private final F16Codec scalar;

    F16VectorCodec(F16Codec scalar) {
        this.scalar = scalar;
    }

    @Override
    public GgmlType type() {
        return GgmlType.F16;
    }

    @Override
    public void quantizeRow(float[] x, int xOff, int n, float[] importance, byte[] dst, int dstOff) {
        int i = 0;
        for (; i + LANES <= n; i += LANES) {
            FloatVector f = FloatVector.fromArray(F, x, xOff + i);
            FloatVector base = f.abs().mul(SCALE_TO_INF).mul(SCALE_TO_ZERO);
            IntVector w = f.reinterpretAsInts();
            IntVector shl1 = w.lanewise(VectorOperators.LSHL, 1);
            IntVector sign = w.and(0x80000000);
            IntVector bias = shl1.and(0xFF000000);
            VectorMask<Integer> below = bias.lanewise(VectorOperators.XOR, Integer.MIN_VALUE)
                    .lt(0x71000000 ^ Integer.MIN_VALUE);
            bias = bias.blend(0x71000000, below);
            base = bias.lanewise(VectorOperators.LSHR, 1).add(0x07800000).reinterpretAsFloats().add(base);
            IntVector bits = base.reinterpretAsInts();
            IntVector nonSign = bits.lanewise(VectorOperators.LSHR, 13).and(0x7C00).add(bits.and(0x0FFF));
            VectorMask<Integer> nan = shl1.lanewise(VectorOperators.XOR, Integer.MIN_VALUE)
                    .compare(VectorOperators.GT, 0xFF000000 ^ Integer.MIN_VALUE);
            IntVector half = sign.lanewise(VectorOperators.LSHR, 16).or(nonSign.blend(0x7E00, nan));
            half.convertShape(VectorOperators.I2S, S, 0).reinterpretAsBytes().intoArray(dst, dstOff + 2 * i);
        }
        for (; i < n; i++) {
            LittleEndian.putShort(dst, dstOff + 2 * i, Fp16.fromFloat(x[xOff + i]));
        }
    }

    @Override
    public void dequantizeRow(byte[] src, int srcOff, int n, float[] y, int yOff) {
        scalar.dequantizeRow(src, srcOff, n, y, yOff);
    }
}

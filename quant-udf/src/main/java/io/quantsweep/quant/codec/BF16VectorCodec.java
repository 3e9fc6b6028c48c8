package io.quantsweep.quant.codec;

import io.quantsweep.quant.Codec;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.LittleEndian;
import io.quantsweep.quant.numeric.Bf16;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * BF16 ({@link BF16Codec}) with {@link Bf16#fromFloat}'s steps in Vector API lanes, a row tail shorter than
 * a vector by the scalar method.
 */
final class BF16VectorCodec implements Codec {
    private static final VectorSpecies<Float> F = KQuantsVector.F;
    private static final int LANES = KQuantsVector.LANES;
    private static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(16 * LANES));

    private final BF16Codec scalar;

    BF16VectorCodec(BF16Codec scalar) {
        this.scalar = scalar;
    }

    @Override
    public GgmlType type() {
        return GgmlType.BF16;
    }

    @Override
    public void quantizeRow(float[] x, int xOff, int n, float[] importance, byte[] dst, int dstOff) {
        int i = 0;
        for (; i + LANES <= n; i += LANES) {
            IntVector u = FloatVector.fromArray(F, x, xOff + i).reinterpretAsInts();
            IntVector high = u.lanewise(VectorOperators.LSHR, 16);
            IntVector rounded = u.add(0x7FFF).add(high.and(1)).lanewise(VectorOperators.LSHR, 16);
            IntVector half = rounded.blend(high.or(0x0040), u.and(0x7FFFFFFF).compare(VectorOperators.GT, 0x7F800000));
            half.convertShape(VectorOperators.I2S, S, 0).reinterpretAsBytes().intoArray(dst, dstOff + 2 * i);
        }
        for (; i < n; i++) {
            LittleEndian.putShort(dst, dstOff + 2 * i, Bf16.fromFloat(x[xOff + i]));
        }
    }

    @Override
    public void dequantizeRow(byte[] src, int srcOff, int n, float[] y, int yOff) {
        scalar.dequantizeRow(src, srcOff, n, y, yOff);
    }
}

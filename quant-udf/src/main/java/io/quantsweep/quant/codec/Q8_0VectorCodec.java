package io.quantsweep.quant.codec;

import static io.quantsweep.quant.codec.KQuantsVector.HALF;
import static io.quantsweep.quant.codec.KQuantsVector.MANTISSA;
import static io.quantsweep.quant.codec.KQuantsVector.ROUND;

import io.quantsweep.quant.Codec;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.LittleEndian;
import io.quantsweep.quant.numeric.Fp16;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q8_0 ({@link Q8_0Codec}) with each block's values in Vector API lanes. The block maximum of |x| is a
 * lane reduction, which is exact in any order (a maximum of non-negative floats rounds nothing). C's
 * {@code roundf} (|v| ≤ 127.5 here) is |v| rounded half to even by {@link KQuants#nearestInt}'s trick, plus
 * one where that left exactly ½ behind (|v| − r is exact), with the sign of v: the same integer as
 * {@code floor(|v| + 0.5)}. JDK 17 does not compile a vector float-to-int conversion, so none is used.
 * Where {@code 1/d} overflowed (max |x| below ~1e-37), v is ±∞ or NaN: the trick turns those lanes into
 * −2²² or 0, whose low byte 0 is also that of the {@code INT_MIN} x86's conversion gives
 * ({@link KQuants#roundf}); the golden case {@code c8_tiny} pins it.
 */
final class Q8_0VectorCodec implements Codec {
    private static final VectorSpecies<Float> F = KQuantsVector.F;
    private static final int LANES = KQuantsVector.LANES;
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(8 * LANES));
    private static final int QK = Q8_0Codec.QK;

    private final Q8_0Codec scalar;

    Q8_0VectorCodec(Q8_0Codec scalar) {
        this.scalar = scalar;
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    @Override
    public void quantizeRow(float[] x, int xOff, int n, float[] importance, byte[] dst, int dstOff) {
        for (int b = 0; b < n / QK; b++) {
            int xb = xOff + b * QK;
            int out = dstOff + b * Q8_0Codec.BLOCK_BYTES;
            FloatVector amax = FloatVector.fromArray(F, x, xb).abs();
            for (int i = LANES; i < QK; i += LANES) {
                amax = amax.max(FloatVector.fromArray(F, x, xb + i).abs());
            }
            float d = amax.reduceLanes(VectorOperators.MAX) / 127f;
            float id = d != 0f ? 1f / d : 0f;
            LittleEndian.putShort(dst, out, Fp16.fromFloat(d));
            for (int i = 0; i < QK; i += LANES) {
                FloatVector v = FloatVector.fromArray(F, x, xb + i).mul(id);
                FloatVector a = v.abs();
                FloatVector r = (FloatVector) a.add(ROUND).reinterpretAsInts().and(MANTISSA).sub(HALF)
                        .convert(VectorOperators.I2F, 0);
                r = r.blend(r.add(1f), a.sub(r).eq(0.5f));
                r = r.blend(r.neg(), v.lt(0f));
                r.add(ROUND).reinterpretAsInts().and(MANTISSA).sub(HALF)
                        .convertShape(VectorOperators.I2B, B, 0).reinterpretAsBytes().intoArray(dst, out + 2 + i);
            }
        }
    }

    @Override
    public void dequantizeRow(byte[] src, int srcOff, int n, float[] y, int yOff) {
        scalar.dequantizeRow(src, srcOff, n, y, yOff);
    }
}

package io.quantsweep.quant.codec;

import static io.quantsweep.quant.codec.KQuantsVector.HALF;
import static io.quantsweep.quant.codec.KQuantsVector.MANTISSA;
import static io.quantsweep.quant.codec.KQuantsVector.ROUND;

import io.quantsweep.quant.Codec;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.LittleEndian;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q4_0, Q4_1, Q5_0 and Q5_1 ({@link Legacy32Codec}) with the importance searches of a row's blocks in
 * Vector API lanes ({@link KQuantsVector#makeQxQuants} or {@link KQuantsVector#makeQkx2Quants}, which is
 * {@code make_qkx3_quants}), block {@code b} in lane {@code b % LANES}. The reference quantizers run one
 * block at a time with its 32 values in lanes: their extremes are lane reductions, exact in any order, and
 * the scalar code's "first element holding the extreme" (which fixes the sign of a zero and of ±max) is
 * the first lane equal to it. C's truncating cast of the (positive) level is {@link KQuants#nearestInt}'s
 * trick less one where that rounded up: JDK 17 compiles no vector float-to-int conversion.
 */
final class LegacyVectorCodec implements Codec {
    private static final int QK = 32;
    private static final VectorSpecies<Float> F = KQuantsVector.F;
    private static final int LANES = KQuantsVector.LANES;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final int[] LANE_INDEX = IntStream.range(0, LANES).toArray();
    private static final VectorSpecies<Byte> B = VectorSpecies.of(byte.class, VectorShape.forBitSize(8 * LANES));

    private final Legacy32Codec scalar;

    LegacyVectorCodec(Legacy32Codec scalar) {
        this.scalar = scalar;
    }

    @Override
    public GgmlType type() {
        return scalar.type();
    }

    @Override
    public void quantizeRow(float[] x, int xOff, int n, float[] importance, byte[] dst, int dstOff) {
        quantizeRows(x, xOff, 1, n, importance, dst, dstOff);
    }

    @Override
    public void quantizeRows(float[] x, int xOff, int rows, int cols, float[] importance, byte[] dst, int dstOff) {
        int blocks = cols / QK;
        if (importance == null) {
            int[] levels = new int[QK];
            int rowBytes = Math.toIntExact(type().bytesFor(cols));
            for (int row = 0; row < rows; row++) {
                for (int b = 0; b < blocks; b++) {
                    int xb = xOff + row * cols + QK * b;
                    int out = dstOff + row * rowBytes + b * type().blockBytes();
                    if (scalar.withMin()) {
                        asymmetricRef(x, xb, levels, dst, out);
                    } else {
                        symmetricRef(x, xb, levels, dst, out);
                    }
                }
            }
            return;
        }
        KQuantsVector.Lanes g = new KQuantsVector.Lanes(QK);
        float[] scales = new float[blocks + LANES];
        float[] mins = new float[blocks + LANES];
        float[] sw = new float[blocks + LANES];
        byte[] levels = new byte[cols];
        int rowBytes = Math.toIntExact(type().bytesFor(cols));
        for (int row = 0; row < rows; row++) {
            int x0 = xOff + row * cols;
            float sigma2 = KQuants.sumOfSquares(x, x0, cols) / cols;
            for (int b0 = 0; b0 < blocks; b0 += LANES) {
                int lanes = Math.min(LANES, blocks - b0);
                for (int k = 0; k < lanes; k++) {
                    g.set(k, x, x0 + QK * (b0 + k), importance, QK * (b0 + k));
                    g.sigma2[k] = sigma2;
                }
                KQuantsVector.importanceWeights(QK, g, sw, b0);
                if (scalar.withMin()) {
                    KQuantsVector.makeQkx2Quants(QK, scalar.nmax(), g, -0.9f, 0.05f, 36, false, scales, mins, b0);
                } else {
                    KQuantsVector.makeQxQuants(QK, scalar.nmax(), g, scales, b0);
                }
                for (int k = 0; k < lanes; k++) {
                    g.levelsTo(k, levels, QK * (b0 + k));
                }
            }
            int out = dstOff + row * rowBytes;
            for (int b = 0; b < blocks; b++) {
                scalar.storeBlock(scales[b], -mins[b], levels, QK * b, dst, out + b * type().blockBytes());
            }
        }
    }

    /** {@link LegacyQuants#symmetricRef} and the block store. */
    private void symmetricRef(float[] x, int xb, int[] levels, byte[] dst, int out) {
        FloatVector amaxV = FloatVector.fromArray(F, x, xb).abs();
        for (int i = LANES; i < QK; i += LANES) {
            amaxV = amaxV.max(FloatVector.fromArray(F, x, xb + i).abs());
        }
        float amax = amaxV.reduceLanes(VectorOperators.MAX);
        float max = amax > 0f ? first(x, xb, amax, true) : 0f;
        int nmax = scalar.nmax();
        float d = max / -nmax;
        float id = d != 0f ? 1f / d : 0f;
        if (truncatedLevels(x, xb, 0f, id, nmax + 0.5f, levels)) {
            scalar.storeScales(d, 0f, dst, out);
            packLevels(levels, dst, out);
        } else {
            byte[] scalarLevels = new byte[QK];
            scalar.storeBlock(LegacyQuants.symmetricRef(x, xb, nmax, scalarLevels), 0f, scalarLevels, 0, dst, out);
        }
    }

    /** {@link LegacyQuants#asymmetricRef} and the block store. */
    private void asymmetricRef(float[] x, int xb, int[] levels, byte[] dst, int out) {
        FloatVector loV = FloatVector.fromArray(F, x, xb);
        FloatVector hiV = loV;
        for (int i = LANES; i < QK; i += LANES) {
            FloatVector v = FloatVector.fromArray(F, x, xb + i);
            loV = loV.min(v);
            hiV = hiV.max(v);
        }
        // an extreme other than zero is its own first occurrence; a zero extreme takes the first zero's sign
        float lo = loV.reduceLanes(VectorOperators.MIN);
        lo = lo != 0f ? lo : first(x, xb, 0f, false);
        float hi = hiV.reduceLanes(VectorOperators.MAX);
        hi = hi != 0f ? hi : first(x, xb, 0f, false);
        float d = (hi - lo) / scalar.nmax();
        float id = d != 0f ? 1f / d : 0f;
        if (truncatedLevels(x, xb, lo, id, 0.5f, levels)) {
            scalar.storeScales(d, lo, dst, out);
            packLevels(levels, dst, out);
        } else {
            byte[] scalarLevels = new byte[QK];
            float[] min = new float[1];
            d = LegacyQuants.asymmetricRef(x, xb, scalar.nmax(), scalar.refLevelCap(), scalarLevels, min);
            scalar.storeBlock(d, min[0], scalarLevels, 0, dst, out);
        }
    }

    /** The first of the block's 32 values (or of their magnitudes) equal to {@code v}, with its own sign. */
    private static float first(float[] x, int xb, float v, boolean magnitude) {
        for (int i = 0; i < QK; i += LANES) {
            FloatVector xi = FloatVector.fromArray(F, x, xb + i);
            VectorMask<Float> equal = (magnitude ? xi.abs() : xi).eq(v);
            if (equal.anyTrue()) {
                return x[xb + i + equal.firstTrue()];
            }
        }
        throw new IllegalStateException("no value equals the block's extreme " + v);
    }

    /**
     * {@code levels[j] = min(refLevelCap, (int) t)} with {@code t = (x[xb+j] − lo)·id + offset} for the
     * block's 32 values; with {@code lo} = +0 this is the symmetric {@code (int) (x·id + offset)}, as
     * {@code x − 0} is x, −0 included. The truncation is the rounded value moved one toward zero where it
     * went past t. False, with {@code levels} unspecified, when some |t| is 2²² or more or not a number: a
     * block whose scale underflowed, which the scalar code must quantize.
     */
    private boolean truncatedLevels(float[] x, int xb, float lo, float id, float offset, int[] levels) {
        float cap = scalar.refLevelCap();
        for (int i = 0; i < QK; i += LANES) {
            FloatVector t = FloatVector.fromArray(F, x, xb + i).sub(lo).mul(id).add(offset);
            if (!t.abs().lt(4194304f).allTrue()) {
                return false;
            }
            FloatVector r = (FloatVector) t.add(ROUND).reinterpretAsInts().and(MANTISSA).sub(HALF)
                    .convert(VectorOperators.I2F, 0);
            VectorMask<Float> positive = t.compare(VectorOperators.GE, 0f);
            r = r.blend(r.sub(1f), r.compare(VectorOperators.GT, t).and(positive))
                    .blend(r.add(1f), r.lt(t).andNot(positive))
                    .min(cap);
            r.add(ROUND).reinterpretAsInts().and(MANTISSA).sub(HALF).intoArray(levels, i);
        }
        return true;
    }

    /**
     * {@link Legacy32Codec#storeBlock}'s level layout in lanes: low nibbles of levels j and j+16 into byte
     * j at {@code qsOffset}, and for the 5-bit types bit 4 of level j into bit j of the u32 at
     * {@code qhOffset} (an OR across lanes, exact in any order).
     */
    private void packLevels(int[] levels, byte[] dst, int out) {
        int qs = out + scalar.qsOffset();
        for (int j = 0; j < QK / 2; j += LANES) {
            IntVector low = IntVector.fromArray(I, levels, j).and(15);
            IntVector high = IntVector.fromArray(I, levels, j + QK / 2).and(15);
            low.or(high.lanewise(VectorOperators.LSHL, 4))
                    .convertShape(VectorOperators.I2B, B, 0).reinterpretAsBytes().intoArray(dst, qs + j);
        }
        if (scalar.qhOffset() >= 0) {
            int qh = 0;
            for (int j = 0; j < QK; j += LANES) {
                IntVector bit = IntVector.fromArray(I, levels, j).lanewise(VectorOperators.LSHR, 4).and(1);
                qh |= bit.lanewise(VectorOperators.LSHL, IntVector.fromArray(I, LANE_INDEX, 0).add(j))
                        .reduceLanes(VectorOperators.OR);
            }
            LittleEndian.putInt(dst, out + scalar.qhOffset(), qh);
        }
    }

    @Override
    public void dequantizeRow(byte[] src, int srcOff, int n, float[] y, int yOff) {
        scalar.dequantizeRow(src, srcOff, n, y, yOff);
    }
}

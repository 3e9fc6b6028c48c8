package io.quantsweep.quant.codec;

import io.quantsweep.quant.QualityStats;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API versions of the whole-array scans that run over every weight of a model besides the
 * codecs: the decoding of block-scaled FP8, the finiteness check of the input, its rounding to bfloat16,
 * and the error sums of the quality statistics. Each gives exactly its scalar counterpart's result
 * ({@code Fp8BlockScaling.dequantizeRows}, {@code Codecs.firstNonFinite}, {@code Bf16.round},
 * {@link QualityStats}) and leaves the ragged end to it; the sums' shapes are fixed
 * (groups of four floats widened to four doubles), so they do not depend on the machine's vector size. Load this class only once
 * {@link CodecImplementations#vectorSkipped()} is empty: it needs {@code jdk.incubator.vector}.
 */
public final class VectorScans {
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_128;
    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_256;
    private static final VectorSpecies<Float> SCAN = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> SCAN_INTS = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Byte> SCAN_BYTES = VectorSpecies.of(byte.class,
            VectorShape.forBitSize(SCAN.length() * Byte.SIZE));
    private static final int LANES = QualityStats.LANES;

    private VectorScans() {
    }

    /**
     * Decodes the leading FP8 E4M3 codes of {@code codes[codesOff..codesOff+n)} times {@code scale} into
     * {@code dst[dstOff..)}, exactly as {@code Fp8E4M3.toFloat(code) * scale} one by one. A code's
     * exponent and mantissa bits, placed at the top of a binary32 mantissa and exponent field, make a
     * float 2^120 times too small (a subnormal one where the code is subnormal), so one exact
     * multiplication by 2^120 decodes every finite code; {@code S.1111.111} becomes the quiet NaN the
     * table holds.
     *
     * @return how many codes were decoded: a multiple of the lane count; the caller decodes the rest
     */
    public static int decodeFp8E4M3(byte[] codes, int codesOff, float scale, float[] dst, int dstOff, int n) {
        int i = 0;
        for (int end = SCAN.loopBound(n); i < end; i += SCAN.length()) {
            IntVector code = (IntVector) ByteVector.fromArray(SCAN_BYTES, codes, codesOff + i)
                    .convertShape(VectorOperators.B2I, SCAN_INTS, 0);
            IntVector magnitude = code.and(0x7F);
            IntVector bits = ((IntVector) magnitude.lanewise(VectorOperators.LSHL, 20).viewAsFloatingLanes()
                    .mul(0x1.0p120f).viewAsIntegralLanes())
                    .blend(0x7FC00000, magnitude.compare(VectorOperators.EQ, 0x7F))
                    .or(code.and(0x80).lanewise(VectorOperators.LSHL, 24));
            ((FloatVector) bits.viewAsFloatingLanes()).mul(scale).intoArray(dst, dstOff + i);
        }
        return i;
    }

    /**
     * How many leading values of {@code x[off..off+n)} are known finite: a multiple of the lane count,
     * short of the first lane group with a NaN or an infinity; the caller scans the rest.
     */
    public static int finitePrefix(float[] x, int off, int n) {
        FloatVector max = FloatVector.broadcast(SCAN, Float.MAX_VALUE);
        int i = 0;
        for (int end = SCAN.loopBound(n); i < end; i += SCAN.length()) {
            // NaN fails the comparison too, so one test catches both
            if (!FloatVector.fromArray(SCAN, x, off + i).abs().compare(VectorOperators.LE, max).allTrue()) {
                break;
            }
        }
        return i;
    }

    /**
     * Rounds the leading values of {@code src[srcOff..srcOff+n)} to bfloat16 and widens them back into
     * {@code dst[dstOff..)}, exactly as {@code Bf16.round} does one by one (round-to-nearest-even on the
     * bits, NaN made quiet); {@code dst} may be {@code src}.
     *
     * @return how many values were rounded: a multiple of the lane count; the caller rounds the rest
     */
    public static int roundToBf16(float[] src, int srcOff, float[] dst, int dstOff, int n) {
        int i = 0;
        for (int end = SCAN.loopBound(n); i < end; i += SCAN.length()) {
            IntVector u = (IntVector) FloatVector.fromArray(SCAN, src, srcOff + i).viewAsIntegralLanes();
            // int addition wraps as the reference's uint32_t does
            IntVector rounded = u.add(u.lanewise(VectorOperators.LSHR, 16).and(1).add(0x7FFF));
            VectorMask<Integer> nan = u.and(0x7FFFFFFF).compare(VectorOperators.GT, 0x7F800000);
            rounded.blend(u.or(0x00400000), nan).and(0xFFFF0000).viewAsFloatingLanes().intoArray(dst, dstOff + i);
        }
        return i;
    }

    /**
     * Adds the leading pairs of {@code x[xOff..xOff+n)}, {@code y[yOff..)} to {@code lanes} as
     * {@code QualityStats} defines the sums (element {@code i} to lane {@code i % 8}, in double, in index
     * order within its lane; five groups of {@link QualityStats#LANES}: Σe², Σx², Σy², Σxy and max|e|,
     * {@code e = y − x}). The lanes run as two independent groups of four, so that no addition waits
     * for the one before it.
     *
     * @return how many pairs were added: a multiple of the lane count; the caller adds the rest
     */
    public static int addErrors(double[] lanes, float[] x, int xOff, float[] y, int yOff, int n) {
        int half = DOUBLES.length();
        DoubleVector sqError = DoubleVector.fromArray(DOUBLES, lanes, 0);
        DoubleVector sqSource = DoubleVector.fromArray(DOUBLES, lanes, LANES);
        DoubleVector sqDequantized = DoubleVector.fromArray(DOUBLES, lanes, 2 * LANES);
        DoubleVector product = DoubleVector.fromArray(DOUBLES, lanes, 3 * LANES);
        DoubleVector maxError = DoubleVector.fromArray(DOUBLES, lanes, 4 * LANES);
        DoubleVector sqError2 = DoubleVector.fromArray(DOUBLES, lanes, half);
        DoubleVector sqSource2 = DoubleVector.fromArray(DOUBLES, lanes, LANES + half);
        DoubleVector sqDequantized2 = DoubleVector.fromArray(DOUBLES, lanes, 2 * LANES + half);
        DoubleVector product2 = DoubleVector.fromArray(DOUBLES, lanes, 3 * LANES + half);
        DoubleVector maxError2 = DoubleVector.fromArray(DOUBLES, lanes, 4 * LANES + half);
        int i = 0;
        for (int end = n - n % LANES; i < end; i += LANES) {
            DoubleVector a = (DoubleVector) FloatVector.fromArray(FLOATS, x, xOff + i).convertShape(VectorOperators.F2D, DOUBLES, 0);
            DoubleVector b = (DoubleVector) FloatVector.fromArray(FLOATS, y, yOff + i).convertShape(VectorOperators.F2D, DOUBLES, 0);
            DoubleVector e = b.sub(a);
            sqError = sqError.add(e.mul(e));
            sqSource = sqSource.add(a.mul(a));
            sqDequantized = sqDequantized.add(b.mul(b));
            product = product.add(a.mul(b));
            DoubleVector ae = e.abs();
            maxError = maxError.blend(ae, maxError.compare(VectorOperators.LT, ae));
            DoubleVector a2 = (DoubleVector) FloatVector.fromArray(FLOATS, x, xOff + i + half).convertShape(VectorOperators.F2D, DOUBLES, 0);
            DoubleVector b2 = (DoubleVector) FloatVector.fromArray(FLOATS, y, yOff + i + half).convertShape(VectorOperators.F2D, DOUBLES, 0);
            DoubleVector e2 = b2.sub(a2);
            sqError2 = sqError2.add(e2.mul(e2));
            sqSource2 = sqSource2.add(a2.mul(a2));
            sqDequantized2 = sqDequantized2.add(b2.mul(b2));
            product2 = product2.add(a2.mul(b2));
            DoubleVector ae2 = e2.abs();
            maxError2 = maxError2.blend(ae2, maxError2.compare(VectorOperators.LT, ae2));
        }
        sqError.intoArray(lanes, 0);
        sqSource.intoArray(lanes, LANES);
        sqDequantized.intoArray(lanes, 2 * LANES);
        product.intoArray(lanes, 3 * LANES);
        maxError.intoArray(lanes, 4 * LANES);
        sqError2.intoArray(lanes, half);
        sqSource2.intoArray(lanes, LANES + half);
        sqDequantized2.intoArray(lanes, 2 * LANES + half);
        product2.intoArray(lanes, 3 * LANES + half);
        maxError2.intoArray(lanes, 4 * LANES + half);
        return i;
    }
}

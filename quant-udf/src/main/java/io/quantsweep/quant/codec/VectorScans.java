package io.quantsweep.quant.codec;

import io.quantsweep.quant.QualityStats;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API versions of the whole-array scans that run over every weight of a model besides the
 * codecs: the finiteness check of the input and the error sums of the quality statistics. Each gives
 * exactly its scalar counterpart's result ({@code Codecs.firstNonFinite}, {@link QualityStats}) and
 * leaves the ragged end to it; the sums' shapes are fixed (four floats widened to four doubles), so
 * they do not depend on the machine's vector size. Load this class only once
 * {@link CodecImplementations#vectorSkipped()} is empty: it needs {@code jdk.incubator.vector}.
 */
public final class VectorScans {
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_128;
    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_256;
    private static final VectorSpecies<Float> SCAN = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = QualityStats.LANES;

    private VectorScans() {
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
     * Adds the leading pairs of {@code x[xOff..xOff+n)}, {@code y[yOff..)} to {@code lanes} as
     * {@code QualityStats} defines the sums (element {@code i} to lane {@code i % 4}, in double, in index
     * order within its lane; five groups of {@link QualityStats#LANES}: Σe², Σx², Σy², Σxy and max|e|,
     * {@code e = y − x}).
     *
     * @return how many pairs were added: a multiple of the lane count; the caller adds the rest
     */
    public static int addErrors(double[] lanes, float[] x, int xOff, float[] y, int yOff, int n) {
        DoubleVector sqError = DoubleVector.fromArray(DOUBLES, lanes, 0);
        DoubleVector sqSource = DoubleVector.fromArray(DOUBLES, lanes, LANES);
        DoubleVector sqDequantized = DoubleVector.fromArray(DOUBLES, lanes, 2 * LANES);
        DoubleVector product = DoubleVector.fromArray(DOUBLES, lanes, 3 * LANES);
        DoubleVector maxError = DoubleVector.fromArray(DOUBLES, lanes, 4 * LANES);
        int i = 0;
        for (int end = n - n % LANES; i < end; i += LANES) {
            DoubleVector a = (DoubleVector) FloatVector.fromArray(FLOATS, x, xOff + i).convertShape(VectorOperators.F2D, DOUBLES, 0);
            DoubleVector b = (DoubleVector) FloatVector.fromArray(FLOATS, y, yOff + i).convertShape(VectorOperators.F2D, DOUBLES, 0);
            DoubleVector e = b.sub(a);
            sqError = sqError.add(e.mul(e));
            sqSource = sqSource.add(a.mul(a));
            sqDequantized = sqDequantized.add(b.mul(b));
            product = product.add(a.mul(b));
            maxError = maxError.max(e.abs());
        }
        sqError.intoArray(lanes, 0);
        sqSource.intoArray(lanes, LANES);
        sqDequantized.intoArray(lanes, 2 * LANES);
        product.intoArray(lanes, 3 * LANES);
        maxError.intoArray(lanes, 4 * LANES);
        return i;
    }
}

package io.quantsweep.quant;

import io.quantsweep.quant.codec.CodecImplementations;
import io.quantsweep.quant.codec.VectorScans;
import java.io.Serializable;

/**
 * Error of dequantized weights against their source: the element count, the sums of the squared
 * error, of the squared source and dequantized values and of their products, and the largest
 * absolute error. Units {@link #merge} into their tensor in unit order.
 *
 * <p>The sums are exact functions of the calls, so the same rows give the same figures whatever the
 * partitioning and whatever the machine: within one {@link #add}, element {@code i} goes to lane
 * {@code i % }{@value #LANES}, each lane sums in double in index order, and the lanes are then added
 * to the totals in lane order. The lanes are what lets {@link VectorScans} run eight elements at a time.
 * The largest error ignores NaN (which the sums then show).
 *
 * <p>Figures: {@code rmse = sqrt(Σe²/n)}, {@code relativeRmse = sqrt(Σe²/Σx²)},
 * {@code cosine = Σxy / sqrt(Σx² · Σy²)}, with {@code e = y - x}, {@code x} the source value and
 * {@code y} the dequantized value.
 */
public final class QualityStats implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Lanes of the sums within one {@link #add}. */
    public static final int LANES = 8;
    private static final boolean VECTOR = CodecImplementations.vectorSkipped().isEmpty();

    private long count;
    private double sumSqError;
    private double sumSqSource;
    private double sumSqDequantized;
    private double sumProduct;
    private double maxAbsError;

    public QualityStats() {
    }

    /** Stats with the given sums, as a unit record stores them. */
    public static QualityStats of(long count, double sumSqError, double sumSqSource, double sumSqDequantized,
            double sumProduct, double maxAbsError) {
        QualityStats s = new QualityStats();
        s.count = count;
        s.sumSqError = sumSqError;
        s.sumSqSource = sumSqSource;
        s.sumSqDequantized = sumSqDequantized;
        s.sumProduct = sumProduct;
        s.maxAbsError = maxAbsError;
        return s;
    }

    /**
     * The error of {@code rows} rows of {@code cols} values quantized as {@code type} in {@code data[dataOff..)}
     * against their source {@code x[xOff..)}: each row is dequantized by the CPU codec into {@code row}
     * (at least {@code cols} long), so any codec's bytes, the GPU's included, are judged the same way.
     */
    public static QualityStats ofRows(GgmlType type, byte[] data, int dataOff, int rows, int cols, float[] x, int xOff,
            float[] row) {
        Codec cpu = Codecs.of(type);
        int rowBytes = Math.toIntExact(type.bytesFor(cols));
        QualityStats s = new QualityStats();
        for (int r = 0; r < rows; r++) {
            cpu.dequantizeRow(data, dataOff + r * rowBytes, cols, row, 0);
            s.add(x, xOff + r * cols, row, 0, cols);
        }
        return s;
    }

    /** Adds {@code n} pairs: source {@code x[xOff..)}, dequantized {@code y[yOff..)}. */
    public void add(float[] x, int xOff, float[] y, int yOff, int n) {
        double[] lanes = new double[5 * LANES];
        int i = VECTOR ? VectorScans.addErrors(lanes, x, xOff, y, yOff, n) : 0;
        addLanes(lanes, x, xOff, y, yOff, i, n);
        for (int l = 0; l < LANES; l++) {
            sumSqError += lanes[l];
            sumSqSource += lanes[LANES + l];
            sumSqDequantized += lanes[2 * LANES + l];
            sumProduct += lanes[3 * LANES + l];
            maxAbsError = Math.max(maxAbsError, lanes[4 * LANES + l]);
        }
        count += n;
    }

    /** The scalar definition of the lanes, for the pairs {@code [from, n)} of a call. */
    static void addLanes(double[] lanes, float[] x, int xOff, float[] y, int yOff, int from, int n) {
        for (int i = from; i < n; i++) {
            double a = x[xOff + i];
            double b = y[yOff + i];
            double e = b - a;
            int l = i % LANES;
            lanes[l] += e * e;
            lanes[LANES + l] += a * a;
            lanes[2 * LANES + l] += b * b;
            lanes[3 * LANES + l] += a * b;
            if (Math.abs(e) > lanes[4 * LANES + l]) {
                lanes[4 * LANES + l] = Math.abs(e);
            }
        }
    }

    /** Adds {@code other}'s pairs to these (sums add, the maximum is the larger). */
    public QualityStats merge(QualityStats other) {
        count += other.count;
        sumSqError += other.sumSqError;
        sumSqSource += other.sumSqSource;
        sumSqDequantized += other.sumSqDequantized;
        sumProduct += other.sumProduct;
        maxAbsError = Math.max(maxAbsError, other.maxAbsError);
        return this;
    }

    public long count() {
        return count;
    }

    public double sumSqError() {
        return sumSqError;
    }

    public double sumSqSource() {
        return sumSqSource;
    }

    public double sumSqDequantized() {
        return sumSqDequantized;
    }

    public double sumProduct() {
        return sumProduct;
    }

    public double maxAbsError() {
        return maxAbsError;
    }

    public double rmse() {
        return count == 0 ? 0 : Math.sqrt(sumSqError / count);
    }

    /** RMSE relative to the source's root mean square; 0 for an exact copy, even of zeros. */
    public double relativeRmse() {
        if (sumSqError == 0) {
            return 0;
        }
        return sumSqSource == 0 ? Double.POSITIVE_INFINITY : Math.sqrt(sumSqError / sumSqSource);
    }

    /** Cosine similarity; 1 when both sides are all zeros, 0 when only one is. */
    public double cosine() {
        if (sumSqSource == 0 || sumSqDequantized == 0) {
            return sumSqSource == sumSqDequantized ? 1 : 0;
        }
        return sumProduct / Math.sqrt(sumSqSource * sumSqDequantized);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QualityStats s && s.count == count && Double.compare(s.sumSqError, sumSqError) == 0
                && Double.compare(s.sumSqSource, sumSqSource) == 0
                && Double.compare(s.sumSqDequantized, sumSqDequantized) == 0
                && Double.compare(s.sumProduct, sumProduct) == 0 && Double.compare(s.maxAbsError, maxAbsError) == 0;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(count) * 31 + Double.hashCode(sumSqError);
    }

    @Override
    public String toString() {
        return "n=%d rmse=%.6g max=%.6g rel=%.6g cos=%.8f".formatted(count, rmse(), maxAbsError, relativeRmse(), cosine());
    }
}

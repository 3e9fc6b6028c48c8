package io.quantsweep.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.quantsweep.quant.codec.CodecImplementations;
import io.quantsweep.quant.codec.VectorScans;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The figures of known pairs, merging units gives the whole tensor's sums, and the vector scan gives the scalar lanes. */
class QualityStatsTest {

    @Test
    void figuresOfKnownPairs() {
        QualityStats s = new QualityStats();
        s.add(new float[] {3, 4}, 0, new float[] {3, 5}, 0, 2);
        assertEquals(2, s.count());
        assertEquals(Math.sqrt(0.5), s.rmse(), 1e-15);
        assertEquals(1, s.maxAbsError());
        assertEquals(Math.sqrt(1.0 / 25), s.relativeRmse(), 1e-15);
        assertEquals(29 / Math.sqrt(25.0 * 34), s.cosine(), 1e-15);

        QualityStats zeros = new QualityStats();
        zeros.add(new float[4], 0, new float[4], 0, 4);
        assertEquals(0, zeros.relativeRmse());
        assertEquals(1, zeros.cosine());
        QualityStats lost = new QualityStats();
        lost.add(new float[] {1, 2}, 0, new float[2], 0, 2);
        assertEquals(0, lost.cosine());
        assertEquals(1, lost.relativeRmse(), 1e-15);
    }

    @Test
    void unitsMergeInOrderToTheSameSumsAsOnePass() {
        SplittableRandom r = new SplittableRandom(11);
        float[] x = new float[1000];
        float[] y = new float[1000];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
            y[i] = x[i] + (float) (r.nextGaussian() * 0.01);
        }
        QualityStats whole = new QualityStats();
        whole.add(x, 0, y, 0, 1000);
        QualityStats merged = new QualityStats();
        for (int from = 0; from < 1000; from += 250) {
            QualityStats unit = new QualityStats();
            unit.add(x, from, y, from, 250);
            merged.merge(unit);
        }
        assertEquals(whole.count(), merged.count());
        assertEquals(whole.maxAbsError(), merged.maxAbsError());
        assertEquals(whole.sumSqError(), merged.sumSqError(), 1e-12 * whole.sumSqError());
        assertEquals(whole.cosine(), merged.cosine(), 1e-12);
    }

    @Test
    void vectorScanGivesExactlyTheScalarLanes() {
        assumeTrue(CodecImplementations.vectorSkipped().isEmpty(), "the Vector API codecs do not run here");
        SplittableRandom r = new SplittableRandom(5);
        for (int n : new int[] {0, 1, 3, 4, 7, 256, 7168, 7171}) {
            float[] x = new float[n + 1];
            float[] y = new float[n + 2];
            for (int i = 0; i < n; i++) {
                x[i + 1] = (float) (r.nextGaussian() * Math.exp(r.nextGaussian() * 4));
                y[i + 2] = x[i + 1] + (float) (r.nextGaussian() * 1e-3);
            }
            if (n > 0) {
                y[2 + n / 2] = -y[2 + n / 2] * 3; // one large error somewhere inside
            }
            if (n > 256) {
                y[2 + 101] = Float.NaN; // a NaN error: in the sums, never the largest error
            }
            double[] scalar = new double[5 * QualityStats.LANES];
            QualityStats.addLanes(scalar, x, 1, y, 2, 0, n);
            double[] vector = new double[5 * QualityStats.LANES];
            int done = VectorScans.addErrors(vector, x, 1, y, 2, n);
            assertEquals(n - n % QualityStats.LANES, done, "pairs the vector scan took of " + n);
            QualityStats.addLanes(vector, x, 1, y, 2, done, n);
            assertArrayEquals(scalar, vector, "lanes of " + n + " pairs");
        }
    }

    @Test
    void ofRowsJudgesQuantizedRowsAgainstTheirSource() {
        int cols = 512;
        SplittableRandom r = new SplittableRandom(12);
        float[] x = new float[3 * cols + 7];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        byte[] data = new byte[5 + Math.toIntExact(GgmlType.Q4_K.bytesFor(2L * cols))];
        Codecs.of(GgmlType.Q4_K).quantizeRows(x, cols + 7, 2, cols, null, data, 5);
        float[] y = Codecs.dequantize(GgmlType.Q4_K, Arrays.copyOfRange(data, 5, data.length), 2 * cols);
        QualityStats expected = new QualityStats();
        expected.add(x, cols + 7, y, 0, cols);
        expected.add(x, 2 * cols + 7, y, cols, cols);

        QualityStats s = QualityStats.ofRows(GgmlType.Q4_K, data, 5, 2, cols, x, cols + 7, new float[cols]);
        assertEquals(expected, s);
        assertEquals(2 * cols, s.count());
        assertTrue(s.cosine() > 0.99 && s.rmse() > 0, s::toString);
    }
}

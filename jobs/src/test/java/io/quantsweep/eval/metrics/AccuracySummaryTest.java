package io.quantsweep.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Against values worked out by hand (in the comments). */
class AccuracySummaryTest {
    private static final double EPS = 1e-12;
    private static final boolean T = true;
    private static final boolean F = false;

    @Test
    void fourItemsThreeSamples() {
        // item scores 2/3, 0, 1, 1/3 -> mean 0.5; runs 3/4, 2/4, 1/4 -> sample std 0.25;
        // item-score deviations 1/6, -1/2, 1/2, -1/6 -> squares sum 5/9, /3 = 5/27, SE = sqrt(5/27)/2
        AccuracySummary s = AccuracySummary.of(new boolean[][] {{T, T, F}, {F, F, F}, {T, T, T}, {T, F, F}});
        assertEquals(0.5, s.accuracy(), EPS);
        assertEquals(4, s.items());
        assertEquals(12, s.samples());
        assertEquals(3, s.samplesPerItem());
        assertEquals(0.25, s.stdOverSamples(), EPS);
        assertEquals(Math.sqrt(5.0 / 27.0) / 2, s.standardError(), EPS);
        assertEquals(0.75, s.passAtK(), EPS, "three of the four items have a right sample");
    }

    @Test
    void oneSampleEachHasNoSpreadOverSamples() {
        // scores 1,0,1,1 -> 0.75; sample std sqrt((3 * 0.0625 + 0.5625) / 3) = 0.5, SE 0.5 / 2
        AccuracySummary s = AccuracySummary.of(new boolean[][] {{T}, {F}, {T}, {T}});
        assertEquals(0.75, s.accuracy(), EPS);
        assertEquals(1, s.samplesPerItem());
        assertTrue(Double.isNaN(s.stdOverSamples()));
        assertEquals(0.25, s.standardError(), EPS);
        assertTrue(Double.isNaN(s.passAtK()), "pass@1 is the accuracy itself");
    }

    @Test
    void unevenSampleCounts() {
        AccuracySummary s = AccuracySummary.of(new boolean[][] {{T, F}, {T}});
        assertEquals(0.75, s.accuracy(), EPS);
        assertEquals(0, s.samplesPerItem());
        assertEquals(3, s.samples());
        assertTrue(Double.isNaN(s.stdOverSamples()));
        assertTrue(Double.isNaN(s.passAtK()));
        assertTrue(Double.isNaN(AccuracySummary.of(new boolean[][] {{T, F}}).standardError()));
        assertThrows(IllegalArgumentException.class, () -> AccuracySummary.of(new boolean[0][]));
        assertThrows(IllegalArgumentException.class, () -> AccuracySummary.of(new boolean[][] {{T}, {}}));
    }

    @Test
    void passAtK() {
        assertEquals(0.0, PassAtK.of(5, 0, 1), EPS);
        assertEquals(1.0, PassAtK.of(5, 5, 1), EPS);
        assertEquals(0.4, PassAtK.of(5, 2, 1), EPS);
        assertEquals(1.0 - 3.0 / 10.0, PassAtK.of(5, 2, 2), EPS);     // 1 - C(3,2)/C(5,2)
        assertEquals(1.0 - 21.0 / 252.0, PassAtK.of(10, 3, 5), EPS);  // 1 - C(7,5)/C(10,5)
        assertEquals(1.0, PassAtK.of(4, 2, 3), EPS);                  // fewer wrong samples than k
        assertEquals(0.25, PassAtK.mean(new boolean[][] {{T, F}, {F, F}}, 1), EPS);
        assertThrows(IllegalArgumentException.class, () -> PassAtK.of(3, 1, 4));
    }
}

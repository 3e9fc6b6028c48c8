package io.quantsweep.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Against values worked out by hand from the definition in the class comment. */
class TopKDivergenceTest {
    private static final double EPS = 1e-12;

    private static Map<String, Double> topK(Object... tokenProb) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < tokenProb.length; i += 2) {
            m.put((String) tokenProb[i], Math.log((Double) tokenProb[i + 1]));
        }
        return m;
    }

    @Test
    void identicalListsHaveNoDivergence() {
        TopKDivergence.Position p = TopKDivergence.compare(topK("a", 0.5, "b", 0.3), topK("b", 0.3, "a", 0.5));
        assertEquals(0.0, p.kl(), EPS);
        assertTrue(p.top1Agrees());
        assertEquals(0.0, p.baseTokenLogprobDelta(), EPS);
        assertFalse(p.baseTokenEstimated());
    }

    @Test
    void aMissingBaselineTokenGetsAShareOfTheUnlistedMass() {
        // P: a .6, b .3, other .1. Q lists a .3, c .5: unlisted .2 over {b, other} -> b .1; Q(other) = 1 - .4 = .6.
        // KL = .6 ln 2 + .3 ln 3 + .1 ln(.1/.6)
        TopKDivergence.Position p = TopKDivergence.compare(topK("a", 0.6, "b", 0.3), topK("a", 0.3, "c", 0.5));
        assertEquals(0.6 * Math.log(2) + 0.3 * Math.log(3) + 0.1 * Math.log(0.1 / 0.6), p.kl(), EPS);
        assertFalse(p.top1Agrees());
        assertEquals(Math.log(0.3) - Math.log(0.6), p.baseTokenLogprobDelta(), EPS);
        assertFalse(p.baseTokenEstimated());
    }

    @Test
    void theEstimateIsCappedAtTheVariantsSmallestListedProbability() {
        // Q lists b .95, c .01: unlisted .04 over {a, other} would give .02, capped at .01; Q(other) = .99.
        // KL = .9 ln(.9/.01) + .1 ln(.1/.99)
        TopKDivergence.Position p = TopKDivergence.compare(topK("a", 0.9), topK("b", 0.95, "c", 0.01));
        assertEquals(0.9 * Math.log(90) + 0.1 * Math.log(0.1 / 0.99), p.kl(), EPS);
        assertEquals(Math.log(0.01) - Math.log(0.9), p.baseTokenLogprobDelta(), EPS);
        assertTrue(p.baseTokenEstimated());
        assertFalse(p.top1Agrees());
    }

    @Test
    void theResultDoesNotDependOnMapOrder() {
        Map<String, Double> base = topK("x", 0.21, "y", 0.33, "z", 0.17, "w", 0.11);
        Map<String, Double> reversed = new LinkedHashMap<>();
        List.of("w", "z", "y", "x").forEach(t -> reversed.put(t, base.get(t)));
        Map<String, Double> variant = topK("y", 0.4, "q", 0.2, "x", 0.1);
        assertEquals(TopKDivergence.compare(base, variant), TopKDivergence.compare(reversed, variant));
    }

    @Test
    void summaryMeansAndRefusals() {
        TopKDivergence.Summary s = TopKDivergence.Summary.of(List.of(new TopKDivergence.Position(0.2, true, -0.5, false),
                new TopKDivergence.Position(0.4, false, 0.1, true)));
        assertEquals(new TopKDivergence.Summary(2, 0.30000000000000004, 0.5, -0.2), s);
        assertEquals(0, TopKDivergence.Summary.of(List.of()).positions());
        assertThrows(IllegalArgumentException.class, () -> TopKDivergence.compare(Map.of("a", 0.5), Map.of("a", -1.0)));
        assertThrows(IllegalArgumentException.class,
                () -> TopKDivergence.compare(topK("a", 0.7, "b", 0.6), topK("a", 0.5)));
        assertThrows(IllegalArgumentException.class, () -> TopKDivergence.compare(Map.of(), Map.of("a", -1.0)));
    }
}

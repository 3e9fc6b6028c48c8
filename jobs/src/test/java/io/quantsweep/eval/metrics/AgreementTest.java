package io.quantsweep.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.eval.score.ScoringMode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgreementTest {
    @Test
    void shareOfSharedItemsWithTheSameAnswer() {
        Agreement a = Agreement.of(Map.of("1", "A", "2", "B", "3", "C", "4", "", "6", "D"),
                Map.of("1", "A", "2", "C", "4", "", "5", "D", "6", ""), String::equals);
        assertEquals(new Agreement(3, 1), a, "an answer against none disagrees; two missing are left out");
        assertEquals(1.0 / 3.0, a.share(), 1e-15);
        assertTrue(Double.isNaN(Agreement.of(Map.of("1", "A"), Map.of(), String::equals).share()));
    }

    @Test
    void answersAreComparedAsTheirScoringComparesThem() {
        Map<String, String> baseline = Map.of("1", "\\frac{3}{4}", "2", "025", "3", "x = 2");
        Map<String, String> variant = Map.of("1", "\\dfrac34", "2", "25", "3", "3");
        assertEquals(new Agreement(3, 2), Agreement.of(baseline, variant, ScoringMode.BOXED::sameAnswer));
        assertEquals(new Agreement(1, 1), Agreement.of(Map.of("1", "1000"), Map.of("1", "1,000.00"),
                ScoringMode.NUMERIC::sameAnswer));
        assertEquals(new Agreement(1, 0), Agreement.of(Map.of("1", "B"), Map.of("1", "b"),
                ScoringMode.MC_GENERATE::sameAnswer));
    }

    @Test
    void commonPrefixes() {
        assertEquals(7, Agreement.commonPrefixChars("héllo wörld", "héllo world"));
        assertEquals(2, Agreement.commonPrefixChars("a\uD83D\uDE00b", "a\uD83D\uDE00c"));
        assertEquals(1, Agreement.commonPrefixChars("a\uD83D\uDE00", "a\uD83D\uDE01"));
        assertEquals(0, Agreement.commonPrefixChars("", "abc"));
        assertEquals(3, Agreement.commonPrefixChars("abc", "abc"));
        assertEquals(2, Agreement.commonPrefixTokens(List.of(1, 2, 3), List.of(1, 2, 4, 5)));
        assertEquals(0, Agreement.commonPrefixTokens(List.of(), List.of("x")));
    }
}

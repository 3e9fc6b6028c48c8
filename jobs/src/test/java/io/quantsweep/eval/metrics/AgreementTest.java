package io.quantsweep.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgreementTest {
    @Test
    void shareOfSharedItemsWithTheSameAnswer() {
        Agreement a = Agreement.of(Map.of("1", "A", "2", "B", "3", "C", "4", ""),
                Map.of("1", "A", "2", "C", "4", "", "5", "D"));
        assertEquals(new Agreement(3, 2), a);
        assertEquals(2.0 / 3.0, a.share(), 1e-15);
        assertTrue(Double.isNaN(Agreement.of(Map.of("1", "A"), Map.of()).share()));
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

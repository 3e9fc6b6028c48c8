package io.quantsweep.eval.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LetterProbabilitiesTest {
    private static final double EPS = 1e-12;

    @Test
    void bothTokenFormsOfALetterAddUpAndTheRestIsIgnored() {
        LetterProbabilities p = LetterProbabilities.of(Map.of(" A", Math.log(0.1), " B", Math.log(0.5), "B",
                Math.log(0.1), " C", Math.log(0.2), "\n", Math.log(0.05), "a", Math.log(0.02), "  D", Math.log(0.01),
                "D ", Math.log(0.01)), 4);
        assertEquals("B", p.best());
        assertEquals(0.9, p.letterMass(), EPS);
        assertEquals(0.1 / 0.9, p.probabilities().get("A"), EPS);
        assertEquals(0.6 / 0.9, p.probabilities().get("B"), EPS);
        assertEquals(0.2 / 0.9, p.probabilities().get("C"), EPS);
        assertEquals(0.0, p.probabilities().get("D"), EPS);
        assertEquals(List.of("A", "B", "C", "D"), List.copyOf(p.probabilities().keySet()));
    }

    @Test
    void lettersBeyondTheChoicesDoNotCount() {
        Map<String, Double> top = Map.of("E", Math.log(0.7), " A", Math.log(0.2));
        assertEquals("A", LetterProbabilities.of(top, 4).best());
        assertEquals(0.2, LetterProbabilities.of(top, 4).letterMass(), EPS);
        assertEquals("E", LetterProbabilities.of(top, 5).best());
    }

    @Test
    void noListedLetterMeansNoAnswerAndTiesGoToTheEarlierLetter() {
        LetterProbabilities none = LetterProbabilities.of(Map.of("The", -0.1, " answer", -3.0), 4);
        assertEquals("", none.best());
        assertEquals(0.0, none.letterMass());
        assertEquals(Map.of("A", 0.0, "B", 0.0, "C", 0.0, "D", 0.0), none.probabilities());
        assertEquals("B", LetterProbabilities.of(Map.of("C", Math.log(0.3), "B", Math.log(0.3)), 4).best());
    }

    @Test
    void impossibleLogProbabilitiesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> LetterProbabilities.of(Map.of("A", Double.NaN), 4));
        assertThrows(IllegalArgumentException.class, () -> LetterProbabilities.of(Map.of("A", 0.5), 4));
        assertEquals(1.0, LetterProbabilities.of(Map.of("A", 1e-6), 4).letterMass(), EPS);
        assertThrows(IllegalArgumentException.class, () -> LetterProbabilities.of(Map.of(), 1));
    }
}

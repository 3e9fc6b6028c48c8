package io.quantsweep.eval.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MathAnswerTest {
    @Test
    void theLastCompleteBoxWinsWithNestedAndEscapedBraces() {
        assertEquals(Optional.of("\\left( 3, \\frac{\\pi}{2} \\right)"),
                MathAnswer.lastBoxed("first \\boxed{\\frac{1}{2}}, finally $\\boxed{\\left( 3, \\frac{\\pi}{2} \\right)}$."));
        assertEquals(Optional.of("\\{1,2\\}"), MathAnswer.lastBoxed("\\boxed{\\{1,2\\}}"));
        assertEquals(Optional.of("3"), MathAnswer.lastBoxed("\\boxed{3} and then \\boxed{\\frac{1"));
        assertEquals(Optional.of("5"), MathAnswer.lastBoxed("so $\\boxed 5$"));
        assertEquals(Optional.of("7"), MathAnswer.lastBoxed("\\fbox{7}"));
        assertEquals(Optional.of("204"), MathAnswer.lastBoxed("$\\framebox{204}$ minutes"));
        assertEquals(Optional.empty(), MathAnswer.lastBoxed("put it in \\boxed{}"));
        assertEquals(Optional.empty(), MathAnswer.lastBoxed("\\boxedx{3}"));
        assertEquals(new Extraction("", "boxed/none"), MathAnswer.extract("no box"));
    }

    @Test
    void normalisation() {
        assertEquals("(3,\\frac{\\pi}{2})", MathAnswer.normalize("\\left( 3, \\frac{\\pi}{2} \\right)"));
        assertEquals("\\frac{\\sqrt{3}}{2}", MathAnswer.normalize("\\dfrac{\\sqrt3}2"));
        assertEquals("\\frac{\\frac{1}{2}}{3}", MathAnswer.normalize("\\frac{\\frac12}3"));
        assertEquals("\\sqrt[3]{2}", MathAnswer.normalize("\\sqrt[3]{2}"));
        assertEquals("10", MathAnswer.normalize("10\\text{ inches}"));
        assertEquals("B", MathAnswer.normalize("\\text{(B)}"), "the letter of an option, as a reply boxes it");
        assertEquals("\\frac{3}{4}", MathAnswer.normalize("3/4"));
        assertEquals("x+y=5", MathAnswer.normalize("x + y = 5"));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', textBlock = """
            \\dfrac{1}{2}              | \\frac12
            0.5                        | \\frac{1}{2}
            1/2                        | \\tfrac{1}{2}
            90^\\circ                  | 90
            90^{\\circ}                | 90°
            10\\text{ inches}          | 10
            x = 5                      | 5
            033                        | 33
            \\$5                       | 5
            50\\%                      | 50
            10{,}000                   | 10000
            10,000                     | 10000
            \\frac{-1}{2}              | -0.5
            -\\frac{1}{2}              | -0.5
            \\frac{\\sqrt3}2           | \\frac{\\sqrt{3}}{2}
            (0.5, 2)                   | (\\frac{1}{2},2)
            \\left[ 1, 3 \\right)      | [1,3)
            \\{1, 2\\}                 | \\{1,2\\}
            2\\!\\sqrt{2}              | 2\\sqrt2
            5.                         | 5
            \\textbf{(113) }           | 113
            (073)                      | 73
            C                          | \\text{(C)}
            \\text{C}                  | \\text{(C)}
            52_{8}                     | 52_8
            4210_5                     | 4210_{5}
            \\text{Even}               | \\text{even}
            \\frac{9}{5}               | 1\\frac{4}{5}
            137.5                      | 137 \\frac{1}{2}
            -2\\frac{1}{2}             | -2.5
            """)
    void equivalent(String predicted, String gold) {
        assertTrue(MathAnswer.equivalent(predicted, gold));
    }

    @ParameterizedTest(name = "{0} != {1}")
    @CsvSource(delimiter = '|', textBlock = """
            0.33                       | \\frac{1}{3}
            (1, 3)                     | [1,3)
            (1, 2)                     | (2, 1)
            \\frac{1}{0}               | \\frac{2}{0}
            12                         | 21
            x                          | y
            0, 125                     | 125
            C                          | \\text{(D)}
            c                          | \\text{(C)}
            52_{8}                     | 52_{9}
            1\\frac{4}{5}              | \\frac{4}{5}
            """)
    void notEquivalent(String predicted, String gold) {
        assertFalse(MathAnswer.equivalent(predicted, gold));
    }

    @Test
    void anEmptyPredictionMatchesNothing() {
        assertFalse(MathAnswer.equivalent("", ""));
        assertFalse(MathAnswer.equivalent("\\text{ }", ""));
    }
}

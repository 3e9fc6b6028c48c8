package io.quantsweep.report;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Against what CPython 3.11 prints for f"{v:.2f}", f"{v:.3f}" and f"{v:+.1f}". */
class DigitsTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            2.625   | 2.62   | 2.625  | +2.6
            2.675   | 2.67   | 2.675  | +2.7
            -0.001  | -0.00  | -0.001 | -0.0
            -0.0    | -0.00  | -0.000 | -0.0
            0.125   | 0.12   | 0.125  | +0.1
            53.125  | 53.12  | 53.125 | +53.1
            6.5625  | 6.56   | 6.562  | +6.6
            0.005   | 0.01   | 0.005  | +0.0
            1.005   | 1.00   | 1.005  | +1.0
            """)
    void roundsTheExactValueHalfToEvenAsPythonDoes(double v, String two, String three, String signed) {
        assertEquals(two, Digits.fixed(v, 2));
        assertEquals(three, Digits.fixed(v, 3));
        assertEquals(signed, Digits.signed(v, 1));
    }
}

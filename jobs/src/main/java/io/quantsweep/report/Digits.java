package io.quantsweep.report;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Numbers on the page as the notebook prints them, so that the two show the same digits: Python's
 * {@code f"{v:.2f}"} rounds the double's exact value, half to even, where Java's {@code %.2f} rounds
 * its shortest decimal form half up (2.625 bits per weight: 2.62 against 2.63).
 */
final class Digits {
    private Digits() {
    }

    /** {@code v} with {@code decimals} digits after the point, as Python's {@code f"{v:.{decimals}f}"}. */
    static String fixed(double v, int decimals) {
        if (!Double.isFinite(v)) {
            return Double.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
        }
        String digits = new BigDecimal(v).setScale(decimals, RoundingMode.HALF_EVEN).toPlainString();
        // BigDecimal has no negative zero; Python keeps the sign of what rounds to zero (-0.001 is "-0.00")
        boolean negative = v < 0 || 1 / v < 0;
        return negative && !digits.startsWith("-") ? "-" + digits : digits;
    }

    /** As {@link #fixed}, with a sign also when positive, as Python's {@code f"{v:+.{decimals}f}"}. */
    static String signed(double v, int decimals) {
        String digits = fixed(v, decimals);
        return digits.startsWith("-") ? digits : "+" + digits;
    }
}

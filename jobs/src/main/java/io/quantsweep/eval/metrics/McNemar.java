package io.quantsweep.eval.metrics;

import java.io.Serializable;
import java.util.Map;

/**
 * Exact McNemar test of a variant against the baseline on the same items: only the discordant items
 * count, b (baseline right, variant wrong) and c (baseline wrong, variant right). Under the null
 * hypothesis each discordant item is a fair coin, so the two-sided p-value is
 * min(1, 2 · P(X ≤ min(b, c))) with X ~ Binomial(b + c, 1/2); 1 when there is no discordant item.
 * The binomial terms are summed in log space, so any item count works.
 *
 * @param pairs         items present in both maps
 * @param baselineOnly  b: items only the baseline got right
 * @param variantOnly   c: items only the variant got right
 * @param pValue        two-sided exact p-value
 */
public record McNemar(int pairs, int baselineOnly, int variantOnly, double pValue) implements Serializable {
    /**
     * Compares right/wrong per item id (one verdict per item, e.g. the greedy sample); ids in one map
     * only are skipped.
     */
    public static McNemar test(Map<String, Boolean> baseline, Map<String, Boolean> variant) {
        int pairs = 0;
        int b = 0;
        int c = 0;
        for (Map.Entry<String, Boolean> e : baseline.entrySet()) {
            Boolean v = variant.get(e.getKey());
            if (v == null) {
                continue;
            }
            pairs++;
            if (e.getValue() && !v) {
                b++;
            } else if (!e.getValue() && v) {
                c++;
            }
        }
        return new McNemar(pairs, b, c, pValue(b, c));
    }

    /** The two-sided exact p-value for discordant counts b and c. */
    public static double pValue(int b, int c) {
        if (b < 0 || c < 0) {
            throw new IllegalArgumentException("discordant counts must not be negative: b=" + b + " c=" + c);
        }
        int n = b + c;
        if (n == 0) {
            return 1.0;
        }
        int m = Math.min(b, c);
        double logHalfPowN = -n * Math.log(2.0);
        double logC = 0.0;
        double tail = 0.0;
        for (int i = 0; i <= m; i++) {
            tail += Math.exp(logC + logHalfPowN);
            logC += Math.log(n - i) - Math.log(i + 1.0);
        }
        return Math.min(1.0, 2.0 * tail);
    }
}

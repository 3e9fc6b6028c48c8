package io.quantsweep.eval.metrics;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BiPredicate;

/**
 * How often a variant says what the baseline says, whether or not either is right.
 *
 * @param items items present in both maps where at least one side gave an answer
 * @param same  items where the answers are equal
 */
public record Agreement(int items, int same) implements Serializable {
    /** same / items; NaN when no item is shared. */
    public double share() {
        return items == 0 ? Double.NaN : (double) same / items;
    }

    /**
     * Compares answers (letters, numbers, expressions) per item id with {@code same}, the scoring's own
     * equivalence ({@code \dfrac34} is {@code \frac{3}{4}}). Skipped: ids in one map only, and items
     * where neither side gave an answer (nothing was said to agree on; a baseline compared with itself
     * still agrees fully). An answer against none is a disagreement.
     */
    public static Agreement of(Map<String, String> baseline, Map<String, String> variant,
            BiPredicate<String, String> same) {
        int items = 0;
        int agree = 0;
        for (Map.Entry<String, String> e : baseline.entrySet()) {
            String v = variant.get(e.getKey());
            if (v != null && !(v.isEmpty() && e.getValue().isEmpty())) {
                items++;
                agree += !e.getValue().isEmpty() && !v.isEmpty() && same.test(e.getValue(), v) ? 1 : 0;
            }
        }
        return new Agreement(items, agree);
    }

    /** Length in code points of the common prefix of two greedy continuations. */
    public static int commonPrefixChars(String a, String b) {
        int i = 0;
        int points = 0;
        while (i < a.length() && i < b.length()) {
            int ca = a.codePointAt(i);
            if (ca != b.codePointAt(i)) {
                break;
            }
            i += Character.charCount(ca);
            points++;
        }
        return points;
    }

    /** Length in tokens of the common prefix of two token sequences (ids or texts). */
    public static int commonPrefixTokens(List<?> a, List<?> b) {
        int i = 0;
        while (i < a.size() && i < b.size() && Objects.equals(a.get(i), b.get(i))) {
            i++;
        }
        return i;
    }
}

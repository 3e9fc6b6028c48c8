package io.quantsweep.eval.metrics;

import java.io.Serializable;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How often a variant says what the baseline says, whether or not either is right.
 *
 * @param items items present in both maps
 * @param same  items where the answers are equal
 */
public record Agreement(int items, int same) implements Serializable {
    /** same / items; NaN when no item is shared. */
    public double share() {
        return items == 0 ? Double.NaN : (double) same / items;
    }

    /** Compares answers (letters, normalised numbers, ...) per item id; ids in one map only are skipped. */
    public static Agreement of(Map<String, String> baseline, Map<String, String> variant) {
        int items = 0;
        int same = 0;
        for (Map.Entry<String, String> e : baseline.entrySet()) {
            String v = variant.get(e.getKey());
            if (v != null) {
                items++;
                same += Objects.equals(e.getValue(), v) ? 1 : 0;
            }
        }
        return new Agreement(items, same);
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

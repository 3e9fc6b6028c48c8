package io.quantsweep.eval.score;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * lm-evaluation-harness's GSM8K metric (task {@code gsm8k}), as it reports it, once per filter: a
 * regular expression picks the answer out of the reply, then {@code exact_match} compares it with the
 * reference's text after removing {@code ,}, {@code $}, everything up to the last {@code "#### "} and a
 * final {@code .}, case ignored. Unlike {@link NumericAnswer}, {@code 18.00} is not {@code 18}, and
 * {@code #### $18} finds nothing under strict-match.
 */
public enum LmEvalGsm8k {
    /** The first {@code #### N} of the reply. */
    STRICT_MATCH("strict-match", Pattern.compile("#### (\\-?[0-9\\.\\,]+)"), true),
    /** The last run of two or more of {@code -$0-9.,}, or failing that the last integer. */
    FLEXIBLE_EXTRACT("flexible-extract", Pattern.compile("(-?[$0-9.,]{2,})|(-?[0-9]+)"), false);

    private static final Pattern UP_TO_ANSWER = Pattern.compile("(?s).*#### ");
    // Python's "\.$": a period at the very end, or before a newline that ends the text
    private static final Pattern FINAL_PERIOD = Pattern.compile("\\.(?=\\n?\\z)");

    /** The harness's name of the filter, in the extractor ids. */
    private final String filter;
    private final Pattern pattern;
    private final boolean first;

    LmEvalGsm8k(String filter, Pattern pattern, boolean first) {
        this.filter = filter;
        this.pattern = pattern;
        this.first = first;
    }

    /**
     * What the filter takes from {@code reply}: the first or last match, its group that matched,
     * stripped; extractor {@code lm-eval/<filter>}, or {@code lm-eval/<filter>/invalid} with no answer
     * where the harness gives {@code [invalid]}.
     */
    public Extraction extract(String reply) {
        Matcher m = pattern.matcher(reply);
        String answer = "";
        while (m.find()) {
            // the first group that matched: Python's findall gives a tuple of all, with "" for the others
            String found = "";
            for (int g = 1; g <= m.groupCount() && found.isEmpty(); g++) {
                found = m.group(g) == null ? "" : m.group(g);
            }
            answer = found.strip();
            if (first) {
                break;
            }
        }
        return answer.isEmpty() ? new Extraction("", "lm-eval/" + filter + "/invalid")
                : new Extraction(answer, "lm-eval/" + filter);
    }

    /** Whether {@code predicted} is {@code reference} as {@code exact_match} with GSM8K's settings sees them. */
    public static boolean exactMatch(String predicted, String reference) {
        // nothing found is the harness's "[invalid]", which matches no reference
        return !predicted.isEmpty() && normalize(predicted).equals(normalize(reference));
    }

    private static String normalize(String s) {
        String out = s.replace(",", "").replace("$", "");
        out = UP_TO_ANSWER.matcher(out).replaceAll("");
        return FINAL_PERIOD.matcher(out).replaceAll("").toLowerCase(Locale.ROOT);
    }
}

package io.quantsweep.eval.score;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GSM8K-style numeric answers: extraction from generated text and exact comparison.
 *
 * <p>A number is an optional minus sign ({@code -}, or U+2212 as LaTeX and Unicode text write it), an optional {@code $}, digits with optional thousands commas
 * ({@code 1,234,567}, also LaTeX's {@code 1{,}234} and {@code 1\,234}) and an optional decimal part. Normalising drops {@code $}, commas and spaces and a
 * trailing period, and reads the rest as an exact decimal, so {@code $1,000.00}, {@code 1000.} and
 * {@code 1000} are equal and {@code 0.1 + 0.2}-style float error cannot arise.
 *
 * <table>
 * <caption>Rules, tried in order; the last match of the first matching rule wins</caption>
 * <tr><th>id</th><th>matches</th></tr>
 * <tr><td>{@code num/hash}</td><td>{@code #### N} (the dataset's own answer line), not a markdown heading
 *     such as {@code #### 2. Sales}</td></tr>
 * <tr><td>{@code num/answer-is}</td><td>{@code The answer is N}, {@code final answer is: $N},
 *     {@code **Final Answer:** N} (emphasis allowed); after a sum shown there, as in
 *     {@code Final answer: 3 + 15 = 18}, the number after its last {@code =}; unless a
 *     {@code \boxed{...}} comes after it</td></tr>
 * <tr><td>{@code num/boxed}</td><td>the first number inside the last {@code \boxed{...}}, or the first after
 *     its last {@code =}</td></tr>
 * <tr><td>{@code num/last}</td><td>the last number in the text</td></tr>
 * </table>
 * Nothing found gives {@code num/none}.
 */
public final class NumericAnswer {
    // a space may follow "$", not "-": a reply's "- 42" is a bullet, not a negative number
    private static final String NUMBER = "-?(?:\\$\\s?)?(?:\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.\\d+)?|-?\\.\\d+";
    private static final Pattern ANY = Pattern.compile("(?<![\\w.])(" + NUMBER + ")");
    // "#### 18 dollars" is an answer line, "#### 2. Revenue" or "#### 1) Eggs" a markdown heading
    private static final Pattern HASH = Pattern.compile("####[ \\t]*(" + NUMBER + ")(?![\\d,]|[.)][ \\t]*\\p{L})");
    // "3 + 15 = ", "$9 \\times 2 = ": a reply that shows its sum states the answer after the last "="
    private static final String WORKING = "(?:(?:" + NUMBER + ")(?:[ \\t]*(?:[-+*/\u00d7\u00f7\u00b7]|\\\\times|\\\\cdot)[ \\t]*(?:"
            + NUMBER + "))*[ \\t]*=[ \\t*]*)*";
    // "The answer is **18**.", "**Final Answer:** $18", "final answer is: \\boxed{18}", "Final answer: 3 + 15 = 18"
    private static final Pattern ANSWER_IS = Pattern.compile(
            "(?i:final answer(?: is)?|answer is)[\\s*:]*\\$?\\s*(?:\\\\boxed\\{)?[\\s*]*" + WORKING + "(" + NUMBER + ")");

    private NumericAnswer() {
    }

    /** The number in {@code text}, normalised (see {@link #normalize}); or {@code num/none}. */
    public static Extraction extract(String text) {
        // LaTeX's thousands separators, 10{,}000 and 10\,000, as plain commas; U+2212 as a minus sign
        String answerText = text.replace("{,}", ",").replaceAll("(?<=\\d)\\\\,(?=\\d)", ",").replace('\u2212', '-');
        String hash = lastGroup(HASH.matcher(answerText));
        if (hash != null) {
            return found(hash, "num/hash");
        }
        Matcher answerIs = ANSWER_IS.matcher(answerText);
        String stated = null;
        int statedAt = -1;
        while (answerIs.find()) {
            stated = answerIs.group(1);
            statedAt = answerIs.start();
        }
        // a box after the last "answer is" is the final answer: "so the answer is 9 eggs times $2 ...
        // **Final Answer:** \[ \boxed{18} \]" states 18, in a form the answer-is rule does not read
        if (stated != null && answerText.lastIndexOf("\\boxed") < statedAt) {
            return found(stated, "num/answer-is");
        }
        Optional<String> boxed = MathAnswer.lastBoxed(answerText).flatMap(NumericAnswer::boxedNumber);
        if (boxed.isPresent()) {
            return found(boxed.get(), "num/boxed");
        }
        if (stated != null) {
            return found(stated, "num/answer-is");
        }
        String last = lastGroup(ANY.matcher(answerText));
        return last != null ? found(last, "num/last") : new Extraction("", "num/none");
    }

    /** The number a box states: its first, or the first after its last {@code =} ({@code \boxed{2 \times 3 = 6}}). */
    private static Optional<String> boxedNumber(String box) {
        int equals = box.lastIndexOf('=');
        Matcher m = ANY.matcher(equals < 0 ? box : box.substring(equals + 1));
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /**
     * The canonical text of a number ({@code -1234.5}, no trailing zeros), or empty if {@code s} is not
     * a number once {@code $}, commas, spaces and a trailing period are dropped.
     */
    public static String normalize(String s) {
        return value(s).map(v -> v.stripTrailingZeros().toPlainString()).orElse("");
    }

    /** Whether the two texts are the same number. */
    public static boolean equivalent(String a, String b) {
        Optional<BigDecimal> x = value(a);
        Optional<BigDecimal> y = value(b);
        return x.isPresent() && y.isPresent() && x.get().compareTo(y.get()) == 0;
    }

    static Optional<BigDecimal> value(String s) {
        String t = s.replace("$", "").replace(",", "").replaceAll("\\s+", "");
        if (t.endsWith(".")) {
            t = t.substring(0, t.length() - 1);
        }
        if (!t.matches("[-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)")) {
            return Optional.empty();
        }
        return Optional.of(new BigDecimal(t));
    }

    private static Extraction found(String number, String id) {
        return new Extraction(normalize(number), id);
    }

    private static String lastGroup(Matcher m) {
        String last = null;
        while (m.find()) {
            last = m.group(1);
        }
        return last;
    }
}

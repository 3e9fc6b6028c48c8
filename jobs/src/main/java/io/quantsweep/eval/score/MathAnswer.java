package io.quantsweep.eval.score;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Boxed answers (MATH-500, AIME): the content of the last {@code \boxed{...}} and equivalence of two
 * LaTeX answers after normalisation.
 *
 * <p>Extraction takes the last {@code \boxed}, {@code \fbox} or {@code \framebox} whose argument is
 * complete (braces counted, {@code \{} and {@code \}} skipped) and not blank; {@code \boxed 5} without
 * braces takes the next word. Ids: {@code boxed/last}, {@code boxed/none}.
 *
 * <p>Normalisation (in this order): drop line breaks, thin spaces ({@code \! \, \; \: \ }, {@code ~}),
 * {@code \left}/{@code \right}, {@code \displaystyle}; {@code \dfrac}/{@code \tfrac} become {@code \frac};
 * drop degrees ({@code ^\circ}, {@code ^{\circ}}, °), dollars and percent signs; drop a trailing unit
 * written {@code \text{ unit}} (leading space) and unwrap other {@code \text{..}}, {@code \mathrm{..}},
 * {@code \mbox{..}}, {@code \textbf{..}}, {@code \mathbf{..}}; drop all spaces and {@code {,}};
 * {@code \{ \}} become braces; brace the arguments of {@code \frac12} and {@code \sqrt3}; an integer
 * fraction {@code a/b} becomes {@code \frac{a}{b}}; drop a short assignment ({@code x=}, {@code k=}:
 * one {@code =} with at most two characters before it) and a trailing period; a one-token subscript
 * loses its braces ({@code 52_{8}} is {@code 52_8}); a parenthesised number or letter loses its
 * parentheses ({@code (073)}, {@code \text{(C)}}); a word of two or more letters is lower-cased
 * ({@code \text{Even}} is {@code even}), as PRM800K's grader does.
 *
 * <p>Two answers are equivalent if they normalise to the same text, or both are exact rationals
 * (integers, decimals, thousands commas, {@code \frac{a}{b}} of integers, mixed numbers
 * {@code 1\frac{4}{5}}) of equal value — so
 * {@code 0.5 = \frac{1}{2}} and {@code 033 = 33} but {@code 0.33 ≠ \frac13} — or both are tuples or
 * intervals with the same brackets whose elements are equivalent in order.
 */
public final class MathAnswer {
    private static final Pattern BOX = Pattern.compile("\\\\(?:boxed|fbox|framebox)(?![A-Za-z])");
    private static final Pattern INTEGER = Pattern.compile("[-+]?\\d+");
    // thousands commas never follow a leading 0: "0,125" is a list of two answers, not 125
    private static final Pattern DECIMAL = Pattern.compile("[-+]?(?:[1-9]\\d{0,2}(?:,\\d{3})+|\\d+)?(?:\\.\\d+)?");
    private static final Pattern FRACTION = Pattern.compile("(-?)\\\\frac\\{([-+]?\\d+)\\}\\{([-+]?\\d+)\\}");
    // "(073)", and "(C)", as the MATH answers of "enter the letter of the correct option" are written
    private static final Pattern PARENTHESISED = Pattern.compile("^\\(([-+]?[\\d.]+|[A-Za-z])\\)$");
    private static final Pattern MIXED_NUMBER = Pattern.compile("(-?)(\\d+)\\\\frac\\{(\\d+)\\}\\{(\\d+)\\}");
    private static final Pattern WORD = Pattern.compile("[A-Za-z]{2,}");
    private static final Pattern SLASH = Pattern.compile("(-?\\d+)/(\\d+)");
    private static final String BRACKETS = "([{";
    private static final String CLOSING = ")]}";

    private MathAnswer() {
    }

    /** The answer in {@code answerText}: the raw content of its last complete box, or {@code boxed/none}. */
    public static Extraction extract(String answerText) {
        return lastBoxed(answerText).map(s -> new Extraction(s, "boxed/last"))
                .orElse(new Extraction("", "boxed/none"));
    }

    /** The content of the last complete, non-blank {@code \boxed{...}} (or {@code \fbox}, {@code \framebox}). */
    public static Optional<String> lastBoxed(String text) {
        List<Integer> ends = new ArrayList<>();
        Matcher m = BOX.matcher(text);
        while (m.find()) {
            ends.add(m.end());
        }
        for (int k = ends.size() - 1; k >= 0; k--) {
            Optional<String> arg = boxArgument(text, ends.get(k));
            if (arg.isPresent() && !arg.get().isBlank()) {
                return Optional.of(arg.get().strip());
            }
        }
        return Optional.empty();
    }

    private static Optional<String> boxArgument(String text, int at) {
        int i = at;
        while (i < text.length() && Character.isWhitespace(text.charAt(i))) {
            i++;
        }
        if (i < text.length() && text.charAt(i) == '{') {
            int end = closingBrace(text, i);
            return end < 0 ? Optional.empty() : Optional.of(text.substring(i + 1, end));
        }
        if (i == at) {
            return Optional.empty();
        }
        int end = i;
        while (end < text.length() && !Character.isWhitespace(text.charAt(end)) && text.charAt(end) != '$') {
            end++;
        }
        return Optional.of(text.substring(i, end));
    }

    /** Index of the brace closing the one at {@code open}, or -1; {@code \{} and {@code \}} do not count. */
    private static int closingBrace(String s, int open) {
        int depth = 0;
        for (int i = open; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    /** The normalised form of a LaTeX answer (see the class comment). */
    public static String normalize(String answer) {
        String t = answer.strip().replace("\n", "").replace("\r", "");
        t = t.replaceAll("\\\\[!,;: ]", "").replace("~", "");
        t = t.replaceAll("\\\\(?:left|right)\\.", "").replaceAll("\\\\(?:left|right)(?![A-Za-z])", "");
        t = t.replace("\\displaystyle", "").replaceAll("\\\\[dt]frac(?![A-Za-z])", "\\\\frac");
        t = t.replaceAll("\\^\\s*\\{\\s*\\\\circ\\s*\\}", "").replaceAll("\\^\\s*\\\\circ(?![A-Za-z])", "")
                .replace("°", "");
        t = t.replace("\\$", "").replace("$", "").replace("\\%", "").replace("%", "");
        t = t.replaceAll("\\\\(?:text|mbox|mathrm)\\{\\s[^{}]*\\}\\s*$", "");
        t = t.replaceAll("\\\\(?:text|textbf|textit|mbox|mathrm|mathbf)\\{([^{}]*)\\}", "$1");
        t = t.replaceAll("\\s+", "").replace("{,}", "").replace("\\{", "{").replace("\\}", "}");
        t = braceArguments(t, "\\frac", 2);
        t = braceArguments(t, "\\sqrt", 1);
        Matcher slash = SLASH.matcher(t);
        if (slash.matches()) {
            t = "\\frac{" + slash.group(1) + "}{" + slash.group(2) + "}";
        }
        int eq = t.indexOf('=');
        if (eq >= 0 && eq <= 2 && eq == t.lastIndexOf('=')) {
            t = t.substring(eq + 1);
        }
        if (t.endsWith(".")) {
            t = t.substring(0, t.length() - 1);
        }
        // a base's subscript with or without braces: 52_{8} is 52_8
        t = t.replaceAll("_\\{([A-Za-z0-9]+)\\}", "_$1");
        t = PARENTHESISED.matcher(t).replaceFirst("$1");
        // a word answer in any case (Even, even); single letters keep theirs: they name options or variables
        return WORD.matcher(t).matches() ? t.toLowerCase(Locale.ROOT) : t;
    }

    /** Whether a predicted answer matches the gold answer (see the class comment). */
    public static boolean equivalent(String predicted, String gold) {
        String a = normalize(predicted);
        String b = normalize(gold);
        return !a.isEmpty() && same(a, b);
    }

    private static boolean same(String a, String b) {
        if (a.equals(b)) {
            return true;
        }
        Optional<BigInteger[]> x = rational(a);
        Optional<BigInteger[]> y = rational(b);
        if (x.isPresent() && y.isPresent()) {
            return x.get()[0].multiply(y.get()[1]).equals(y.get()[0].multiply(x.get()[1]));
        }
        List<String> ea = elements(a);
        List<String> eb = elements(b);
        if (ea.size() < 2 || ea.size() != eb.size() || a.charAt(0) != b.charAt(0)
                || a.charAt(a.length() - 1) != b.charAt(b.length() - 1)) {
            return false;
        }
        for (int i = 0; i < ea.size(); i++) {
            if (!same(ea.get(i), eb.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** {numerator, denominator} of an exact rational, denominator positive. */
    static Optional<BigInteger[]> rational(String s) {
        Matcher mixed = MIXED_NUMBER.matcher(s);
        if (mixed.matches() && !new BigInteger(mixed.group(4)).equals(BigInteger.ZERO)) {
            // 1\frac{4}{5} is the mixed number 9/5, as MATH writes one
            BigInteger den = new BigInteger(mixed.group(4));
            BigInteger num = new BigInteger(mixed.group(2)).multiply(den).add(new BigInteger(mixed.group(3)));
            return Optional.of(new BigInteger[] {mixed.group(1).isEmpty() ? num : num.negate(), den});
        }
        Matcher f = FRACTION.matcher(s);
        if (f.matches()) {
            BigInteger num = new BigInteger(f.group(2));
            BigInteger den = new BigInteger(f.group(3));
            if (den.signum() == 0) {
                return Optional.empty();
            }
            num = f.group(1).isEmpty() ? num : num.negate();
            return Optional.of(den.signum() < 0 ? new BigInteger[] {num.negate(), den.negate()}
                    : new BigInteger[] {num, den});
        }
        if (INTEGER.matcher(s).matches() || (DECIMAL.matcher(s).matches() && s.matches(".*\\d.*"))) {
            BigDecimal d = new BigDecimal(s.replace(",", ""));
            return Optional.of(new BigInteger[] {d.unscaledValue(), BigInteger.TEN.pow(d.scale())});
        }
        return Optional.empty();
    }

    /** The top-level comma-separated elements of {@code (..)}, {@code [..]} or {@code {..}}; empty if not bracketed. */
    private static List<String> elements(String s) {
        if (s.length() < 2 || BRACKETS.indexOf(s.charAt(0)) < 0 || CLOSING.indexOf(s.charAt(s.length() - 1)) < 0) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 1;
        for (int i = 1; i < s.length() - 1; i++) {
            char c = s.charAt(i);
            if (BRACKETS.indexOf(c) >= 0) {
                depth++;
            } else if (CLOSING.indexOf(c) >= 0) {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(s.substring(start, i));
                start = i + 1;
            }
        }
        out.add(s.substring(start, s.length() - 1));
        return out;
    }

    /**
     * Puts braces around the first {@code count} arguments of {@code command} where they have none
     * ({@code \frac12} to {@code \frac{1}{2}}), inside braced arguments too; an optional argument
     * ({@code \sqrt[3]{x}}) stops it.
     */
    private static String braceArguments(String s, String command, int count) {
        StringBuilder out = new StringBuilder();
        int copied = 0;
        for (int at = s.indexOf(command); at >= 0; at = s.indexOf(command, copied)) {
            int i = at + command.length();
            out.append(s, copied, i);
            copied = i;
            if (i < s.length() && Character.isLetter(s.charAt(i))) {
                continue;
            }
            for (int k = 0; k < count && i < s.length() && s.charAt(i) != '['; k++) {
                char c = s.charAt(i);
                int end = c == '{' ? closingBrace(s, i) : c == '\\' ? commandEnd(s, i) : i;
                if (end < 0) {
                    break;
                }
                String arg = c == '{' ? s.substring(i + 1, end) : s.substring(i, end + 1);
                out.append('{').append(braceArguments(arg, command, count)).append('}');
                i = end + 1;
                copied = i;
            }
        }
        return out.append(s, copied, s.length()).toString();
    }

    /** Last index of the control word starting with the backslash at {@code i}. */
    private static int commandEnd(String s, int i) {
        int j = i + 1;
        while (j < s.length() && Character.isLetter(s.charAt(j))) {
            j++;
        }
        return j == i + 1 ? Math.min(i + 1, s.length() - 1) : j - 1;
    }
}

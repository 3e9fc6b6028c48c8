package io.quantsweep.eval.score;

import io.quantsweep.eval.bench.Item;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a choice letter out of generated text. Rules are tried in order and the first rule that
 * matches anywhere wins, with its <em>last</em> match (a reply states its final answer last). Letters
 * are upper case only, limited to the item's choices, and must not touch another letter (so "Answer:
 * All of them" is no answer A).
 *
 * <table>
 * <caption>Rules</caption>
 * <tr><th>id</th><th>matches</th></tr>
 * <tr><td>{@code mc/answer-colon}</td><td>{@code Answer: X}, {@code **Answer:** (X)}, {@code Final answer: $\boxed{X}$} (any case)</td></tr>
 * <tr><td>{@code mc/zh-answer}</td><td>{@code 答案：X}, {@code 答案是X}, {@code 答案为 (X)}, {@code **答案**：X},
 *     {@code 答案是选项X}</td></tr>
 * <tr><td>{@code mc/zh-choose}</td><td>{@code 故选X}, {@code 选：X}, {@code 选择X} (not {@code 选项X})</td></tr>
 * <tr><td>{@code mc/zh-correct}</td><td>{@code 正确的选项是X}, {@code X项正确}, {@code X选项是正确的}</td></tr>
 * <tr><td>{@code mc/answer-is}</td><td>{@code the answer is (X)}, {@code the correct option would be X}</td></tr>
 * <tr><td>{@code mc/boxed}</td><td>{@code \boxed{X}}, {@code \boxed{\text{(X)}}}</td></tr>
 * <tr><td>{@code mc/bold}</td><td>{@code **X**}, {@code **(X)**}, {@code **X.**}</td></tr>
 * <tr><td>{@code mc/leading}</td><td>a reply that starts with the letter alone, on a line of its own, before a
 *     Chinese word, or as {@code X)}, {@code (X)}, {@code X.}, {@code X:}, {@code X。}</td></tr>
 * <tr><td>{@code mc/last-letter}</td><td>the last stand-alone letter not followed by a lower-case word (so not the
 *     article "A"), nor after {@code 选项} or before {@code 项} / {@code 选项} / {@code 、} (an option discussed,
 *     as in {@code D项错误}, {@code 选项D是错的})</td></tr>
 * </table>
 * Nothing found gives {@code mc/none}. Full-width letters ({@code Ｂ}) are read as their ASCII ones. The
 * Chinese rules follow CMMLU's own answer extraction ({@code extract_choice}).
 */
public final class ChoiceExtractor {
    /** Decoration allowed between a marker and the letter: spaces, emphasis, $, brackets, \boxed{ or \text{. */
    private static final String DECORATION = "[\\s*_$(\\[{（]*(?:\\\\(?:boxed|text|textbf|mathrm|mathbf)\\{\\s*\\(?)?";
    private static final String NOT_A_LETTER_AFTER = "(?![A-Za-z])";

    private record Rule(String id, String regex) {
    }

    private static final List<Rule> RULES = List.of(
            new Rule("mc/answer-colon", "(?<![A-Za-z])(?i:answer)\\s*(?:\\*\\*)?\\s*[:：]" + DECORATION + "(L)"
                    + NOT_A_LETTER_AFTER),
            new Rule("mc/zh-answer", "答案(?:\\*\\*)?\\s*(?:是|为|為|应为|應為|应该是|應該是|选|選)?\\s*(?:选项|選項)?\\s*[:：]?"
                    + DECORATION + "(L)" + NOT_A_LETTER_AFTER),
            new Rule("mc/zh-choose", "(?:选|選)(?:择|擇)?\\s*[:：]?" + DECORATION + "(L)" + NOT_A_LETTER_AFTER),
            new Rule("mc/zh-correct", "正确的?(?:选项|選項)(?:是|为|為)?\\s*[:：]?" + DECORATION + "(L)" + NOT_A_LETTER_AFTER),
            new Rule("mc/zh-correct", "(?<![A-Za-z])(L)\\s*(?:选|選)?(?:项|項)(?:是|为|為)?正确"),
            new Rule("mc/answer-is", "(?i:(?:answer|option|choice)\\s+(?:is|would be|should be|must be))\\s*[:：]?"
                    + DECORATION + "(L)" + NOT_A_LETTER_AFTER),
            new Rule("mc/boxed", "\\\\boxed\\{\\s*(?:\\\\text(?:bf)?\\{)?\\s*\\(?(L)\\)?\\s*\\}"),
            new Rule("mc/bold", "\\*\\*\\s*\\(?(L)[).:]?\\)?\\s*\\*\\*"),
            new Rule("mc/leading", "\\A\\s*[(\\[（]?(L)(?:[)\\].:）。：](?:\\s|\\z|(?=\\p{IsHan}))|[ \\t]*(?:\\n|\\z)"
                    + "|(?=\\p{IsHan}))"),
            new Rule("mc/last-letter", "(?<![A-Za-z'])(?<!(?:选项|選項)\\s?)(L)(?![A-Za-z'])(?!\\s+[a-z])(?!\\s*(?:项|項|选项|選項|、))"));

    /** One extractor per number of choices, index = count (0 and 1 unused): the patterns compile once. */
    private static final ChoiceExtractor[] BY_COUNT = new ChoiceExtractor[Item.LETTERS.length() + 1];

    static {
        for (int n = 2; n < BY_COUNT.length; n++) {
            BY_COUNT[n] = new ChoiceExtractor(n);
        }
    }

    private final List<Pattern> patterns;
    private final int choices;

    private ChoiceExtractor(int choices) {
        this.choices = choices;
        String letters = "[" + Item.LETTERS.substring(0, choices) + "]";
        this.patterns = RULES.stream().map(r -> Pattern.compile(r.regex().replace("(L)", "(" + letters + ")")))
                .toList();
    }

    /** The extractor for items with {@code choices} options (letters A up to 26). */
    public static ChoiceExtractor of(int choices) {
        if (choices < 2 || choices > Item.LETTERS.length()) {
            throw new IllegalArgumentException("choices must be 2 to 26, got " + choices);
        }
        return BY_COUNT[choices];
    }

    public int choices() {
        return choices;
    }

    /** The letter in {@code answerText} (the reply after any reasoning), or {@code mc/none}. */
    public Extraction extract(String answerText) {
        String text = fullWidthLettersAsAscii(answerText);
        for (int r = 0; r < RULES.size(); r++) {
            Matcher m = patterns.get(r).matcher(text);
            String last = null;
            while (m.find()) {
                last = m.group(1);
            }
            if (last != null) {
                return new Extraction(last, RULES.get(r).id());
            }
        }
        return new Extraction("", "mc/none");
    }

    /** {@code Ａ}-{@code Ｚ} (U+FF21-FF3A), which Chinese text sometimes uses for the option, as A-Z. */
    private static String fullWidthLettersAsAscii(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= '\uFF21' && c <= '\uFF3A') {
                if (out == null) {
                    out = new StringBuilder(text);
                }
                out.setCharAt(i, (char) (c - '\uFF21' + 'A'));
            }
        }
        return out == null ? text : out.toString();
    }
}

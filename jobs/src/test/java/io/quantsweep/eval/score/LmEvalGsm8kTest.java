package io.quantsweep.eval.score;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quantsweep.eval.bench.Item;
import io.quantsweep.eval.bench.Location;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Replies scored by lm-evaluation-harness 4e7e0d4's own {@code RegexFilter} and
 * {@code exact_match_hf_evaluate} with its gsm8k task's settings, against a reference ending in
 * {@code #### gold} (an empty answer is the harness's {@code [invalid]}; a backslash-n is a newline).
 */
class LmEvalGsm8kTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            `So she makes 9 * 2 = $18.\\n#### 18` | 18 | `18` | true | `18` | true
            `#### 18.00` | 18 | `18.00` | false | `18.00` | false
            `#### $18` | 18 | `` | false | `$18` | true
            `The answer is 18.` | 18 | `` | false | `18.` | true
            `#### 1,000\\nQuestion` | 1000 | `1,000` | true | `1,000` | true
            `#### 18\\n#### 20` | 18 | `18` | true | `20` | false
            `She has 3 apples and 15 more, 18 in all` | 18 | `` | false | `18` | true
            `no digits here` | 18 | `` | false | `` | false
            `#### -5` | -5 | `-5` | true | `-5` | true
            `It costs $1,200.` | 1200 | `` | false | `$1,200.` | true
            `Answer: 7.\\n` | 7 | `` | false | `7.` | true
            `#### 18.` | 18 | `18.` | true | `18.` | true
            `#### 18.\\n` | 18 | `18.` | true | `18.` | true
            `#### 2. Sales were 18` | 2 | `2.` | true | `18` | false
            `x = 5, y = 6` | 6 | `` | false | `6` | true
            `answer 4` | 4 | `` | false | `4` | true
            `#### 0.5` | 0.5 | `0.5` | true | `0.5` | true
            `The total is 18...` | 18 | `` | false | `18...` | false
            `####18` | 18 | `` | false | `18` | true
            `#### .5` | .5 | `.5` | true | `.5` | true
            `#### 18 dollars` | 18 | `18` | true | `18` | true
            `costs 3,` | 3 | `` | false | `3,` | true
            """)
    void scoresAsTheHarness(String reply, String gold, String strict, boolean strictRight, String flexible,
            boolean flexibleRight) {
        String text = reply.replace("\\n", "\n");
        Item item = Item.free("0", "", "q", gold, "", new Location("test.jsonl", 1));
        check(ScoringMode.GSM8K_STRICT_MATCH, item, text, strict, strictRight, "strict-match");
        check(ScoringMode.GSM8K_FLEXIBLE_EXTRACT, item, text, flexible, flexibleRight, "flexible-extract");
    }

    private static void check(ScoringMode mode, Item item, String reply, String answer, boolean right, String filter) {
        Score s = mode.score(item, new ModelOutput.Generation(reply), false);
        assertEquals(answer, s.predicted(), filter);
        assertEquals(right, s.correct(), filter);
        assertEquals("lm-eval/" + filter + (answer.isEmpty() ? "/invalid" : ""), s.extractor(), filter);
    }
}

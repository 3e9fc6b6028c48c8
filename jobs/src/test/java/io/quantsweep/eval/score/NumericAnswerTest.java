package io.quantsweep.eval.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NumericAnswerTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            She earns 9 * 2 = 18.\\n#### 1,234                    | 1234    | num/hash
            #### -7                                                | -7      | num/hash
            So the final answer is $18.00.                        | 18      | num/answer-is
            The answer is: 0.50 cups                               | 0.5     | num/answer-is
            so she makes $\\boxed{\\$18}$ a day                   | 18      | num/boxed
            3 + 4 = 7 dollars, then 7 * 2 = 14.                   | 14      | num/last
            It costs $1,000,000 in total                          | 1000000 | num/last
            5-3=2                                                  | 2       | num/last
            It is -5 degrees                                       | -5      | num/last
            So she has:\\n- 42 cookies left.                      | 42      | num/last
            Total = 5 - 3                                          | 3       | num/last
            It costs $ 12 in all                                   | 12      | num/last
            so the total is $\\boxed{10{,}000}$                    | 10000   | num/boxed
            so the total is $\\boxed{10\\,000}$                    | 10000   | num/boxed
            Q3 has no number                                       | ``      | num/none
            """)
    void extraction(String text, String number, String extractor) {
        assertEquals(new Extraction(number, extractor), NumericAnswer.extract(text.replace("\\n", "\n")));
    }

    @Test
    void chatRepliesKeepTheirAnswer() {
        // a markdown heading "#### 2. Sales" is no answer line; "#### 18 dollars" is one
        assertEquals(new Extraction("18", "num/hash"), NumericAnswer.extract("So 18 in all.\n#### 18."));
        assertEquals(new Extraction("18", "num/hash"), NumericAnswer.extract("#### 18 dollars\nThat is 2 dozen"));
        assertEquals(new Extraction("18", "num/last"), NumericAnswer.extract("#### 13) Eggs sold\nSo she has 18"));
        assertEquals(new Extraction("18", "num/boxed"),
                NumericAnswer.extract("#### 1. Eggs: 16 - 3 = 13\n#### 2. Sales\nSo \\boxed{18}"));
        assertEquals(new Extraction("18", "num/answer-is"),
                NumericAnswer.extract("The answer is **18**.\nCheck: she keeps 7 eggs"));
        assertEquals(new Extraction("18", "num/answer-is"),
                NumericAnswer.extract("**Final Answer:** 18 dollars, from 9 eggs"));
        assertEquals(new Extraction("-5", "num/answer-is"), NumericAnswer.extract("The answer is \u22125"));
        assertEquals(new Extraction("18", "num/answer-is"), NumericAnswer.extract("Final answer: 3 + 15 = 18"));
        assertEquals(new Extraction("18", "num/answer-is"),
                NumericAnswer.extract("The answer is $9 \\times 2 = **$18**."));
        assertEquals(new Extraction("12", "num/answer-is"), NumericAnswer.extract("The answer is 20 - 8 = 12 = 12 eggs"));
        // an "=" on a later line is not the stated answer's working
        assertEquals(new Extraction("18", "num/answer-is"), NumericAnswer.extract("The answer is 18\n= 20 in total"));
        // DeepSeek-V3's closing box comes after an intermediate "answer is": the box is the final answer
        assertEquals(new Extraction("18", "num/boxed"), NumericAnswer.extract("She sells 16 - 3 - 4 = 9 eggs, so the answer "
                + "is 9 eggs times $2 each.\n\n**Final Answer:**\n\\[\n\\boxed{18}\n\\]"));
        assertEquals(new Extraction("35", "num/boxed"),
                NumericAnswer.extract("The answer is 5 hours, so 5 * 7 = 35. The final answer is \\(\\boxed{35}\\)."));
        assertEquals(new Extraction("6", "num/boxed"), NumericAnswer.extract("So \\boxed{2 \\times 3 = 6}"));
        // a box the reply then restates keeps the restated answer
        assertEquals(new Extraction("18", "num/answer-is"), NumericAnswer.extract("\\boxed{17}? No: the answer is 18"));
    }

    @Test
    void equivalenceIsExactDecimalValue() {
        assertTrue(NumericAnswer.equivalent("18.0", "18"));
        assertTrue(NumericAnswer.equivalent("$1,000.", "1000"));
        assertTrue(NumericAnswer.equivalent(".5", "0.50"));
        assertTrue(NumericAnswer.equivalent("+3", "3"));
        assertFalse(NumericAnswer.equivalent("18.01", "18"));
        assertFalse(NumericAnswer.equivalent("", "18"));
        assertFalse(NumericAnswer.equivalent("eighteen", "18"));
        assertEquals("70000", NumericAnswer.normalize("70,000.00"));
        assertEquals("", NumericAnswer.normalize("1e5"));
    }
}

package io.quantsweep.eval.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ChoiceExtractorTest {
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
            Answer: B                                             | B | mc/answer-colon
            **Answer:** (C)                                       | C | mc/answer-colon
            Final Answer: $\\boxed{D}$                            | D | mc/answer-colon
            ANSWER：A                                             | A | mc/answer-colon
            Maybe Answer: A. On reflection, Answer: C             | C | mc/answer-colon
            Answer: All of the above apply                        | `` | mc/none
            答案：B                                               | B | mc/zh-answer
            所以答案是 C。                                        | C | mc/zh-answer
            故答案为（D）                                         | D | mc/zh-answer
            The correct answer is (B).                            | B | mc/answer-is
            Thus the option would be D, not A.                    | D | mc/answer-is
            $\\boxed{\\text{(A)}}$                                | A | mc/boxed
            I pick **(C)** here                                   | C | mc/bold
            **B.**                                                | B | mc/bold
            B) 4                                                  | B | mc/leading
            (D)                                                   | D | mc/leading
            C                                                     | C | mc/leading
            I think it's C.                                       | C | mc/last-letter
            A cat has four legs.                                  | `` | mc/none
            Answer: E                                             | `` | mc/none
            the answer: b                                         | `` | mc/none
            ``                                                    | `` | mc/none
            """)
    void fourChoices(String text, String letter, String extractor) {
        assertEquals(new Extraction(letter, extractor), ChoiceExtractor.of(4).extract(text));
    }

    @Test
    void theLetterRangeFollowsTheChoices() {
        assertEquals(new Extraction("E", "mc/answer-colon"), ChoiceExtractor.of(5).extract("Answer: E"));
        assertEquals(new Extraction("", "mc/none"), ChoiceExtractor.of(2).extract("Answer: C"));
        assertSame(ChoiceExtractor.of(4), ChoiceExtractor.of(4));
        assertThrows(IllegalArgumentException.class, () -> ChoiceExtractor.of(27));
    }
}

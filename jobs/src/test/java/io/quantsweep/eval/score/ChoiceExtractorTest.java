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
            **答案**：B\\n\\n**解析**：A项错误，D项错误。           | B | mc/zh-answer
            正确答案是选项B。D项错误。                           | B | mc/zh-answer
            答案选项：B\\n\\nA项错误，D项错误。                    | B | mc/zh-answer
            答案：Ｂ                                              | B | mc/zh-answer
            故选B。A项错误，C项和D项也不符合题意。               | B | mc/zh-choose
            选B。\\n\\nA项错误，D项错误。                          | B | mc/zh-choose
            故选：B\\n\\n其他选项中D项错误。                        | B | mc/zh-choose
            选项D是错的，A项也不对                               | `` | mc/none
            正确的选项是B。而选项D是错的                         | B | mc/zh-correct
            B项正确。\\n\\nA项错误。                               | B | mc/zh-correct
            B\\n\\n解析：A项错误，D项错误。                         | B | mc/leading
            C。因为A、B都不对                                     | C | mc/leading
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
        assertEquals(new Extraction(letter, extractor), ChoiceExtractor.of(4).extract(text.replace("\\n", "\n")));
    }

    @Test
    void theLetterRangeFollowsTheChoices() {
        assertEquals(new Extraction("E", "mc/answer-colon"), ChoiceExtractor.of(5).extract("Answer: E"));
        assertEquals(new Extraction("", "mc/none"), ChoiceExtractor.of(2).extract("Answer: C"));
        assertSame(ChoiceExtractor.of(4), ChoiceExtractor.of(4));
        assertThrows(IllegalArgumentException.class, () -> ChoiceExtractor.of(27));
    }
}

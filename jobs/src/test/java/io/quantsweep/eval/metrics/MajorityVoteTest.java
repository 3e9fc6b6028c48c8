package io.quantsweep.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quantsweep.eval.score.ScoringMode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MajorityVoteTest {

    /**
     * @param answers the samples' answers, "|"-separated, "-" for a sample without one
     * @param correct their verdicts, one T or F each
     */
    @ParameterizedTest
    @CsvSource(delimiter = ';', textBlock = """
            # answers                      ; verdicts ; majority right
            7|7|3                          ; TTF      ; true
            3|7|7                          ; FTT      ; true
            7|3|3                          ; TFF      ; false
            # a tie: the answer given first wins, as Counter.most_common orders it
            3|7                            ; FT       ; false
            7|3                            ; TF       ; true
            # no answer votes for nothing
            -|-|3                          ; FFF      ; false
            -|-|7                          ; FFT      ; true
            -|-                            ; FF       ; false
            # equivalent forms are one answer: 1/2 twice against 0.3
            \\frac12|0.3|\\dfrac{1}{2}     ; TFT      ; true
            0.3|\\frac12|\\dfrac{1}{2}     ; FTT      ; true
            """)
    void theAnswerMostSamplesGiveDecides(String answers, String correct, boolean right) {
        List<String> a = List.of(answers.split("\\|")).stream().map(s -> s.equals("-") ? "" : s).toList();
        List<Boolean> c = correct.chars().mapToObj(ch -> ch == 'T').toList();
        assertEquals(right, MajorityVote.right(a, c, ScoringMode.BOXED::sameAnswer), answers);
    }

    @Test
    void answersAndVerdictsMustPair() {
        assertThrows(IllegalArgumentException.class, () -> MajorityVote.right(List.of("1"), List.of(true, true),
                String::equals));
    }
}

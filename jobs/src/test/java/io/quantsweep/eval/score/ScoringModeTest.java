package io.quantsweep.eval.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.eval.bench.BenchmarkSlices;
import io.quantsweep.eval.bench.CsvChoiceLoader;
import io.quantsweep.eval.bench.Item;
import io.quantsweep.eval.bench.JsonlLoader;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every mode on real items from the slices. */
class ScoringModeTest {
    static Item mmlu;
    static Item gsm8k;
    static Item math500;
    static Item aime;

    @BeforeAll
    static void load() throws IOException {
        mmlu = CsvChoiceLoader.MMLU.load(BenchmarkSlices.dir("mmlu"), "test").items().get(0);
        gsm8k = JsonlLoader.GSM8K.load(BenchmarkSlices.dir("gsm8k"), "test").items().get(0);
        math500 = JsonlLoader.MATH500.load(BenchmarkSlices.dir("math500"), "test").items().get(0);
        aime = JsonlLoader.AIME.load(BenchmarkSlices.dir("aime24"), "test").items().get(0);
    }

    private static ModelOutput text(String s) {
        return new ModelOutput.Generation(s);
    }

    @Test
    void nextTokenLetterProbabilities() {
        Score s = ScoringMode.MC_LOGPROB.score(mmlu, new ModelOutput.NextToken(Map.of(" B", Math.log(0.6), " C",
                Math.log(0.2))), false);
        assertEquals(true, s.correct());
        assertEquals("B", s.predicted());
        assertEquals("letter-prob", s.extractor());
        assertEquals(0.75, s.letterProbabilities().get("B"), 1e-12);
        assertEquals(0.25, s.letterProbabilities().get("C"), 1e-12);
        assertEquals(0.0, s.letterProbabilities().get("A"));
        Score none = ScoringMode.MC_LOGPROB.score(mmlu, new ModelOutput.NextToken(Map.of(" The", -0.1)), false);
        assertEquals("letter-prob/none", none.extractor());
        assertEquals(false, none.correct());
        assertThrows(IllegalArgumentException.class, () -> ScoringMode.MC_LOGPROB.score(mmlu, text("B"), false));
    }

    @Test
    void kldComparesDistributionsAndScoresNothing() {
        assertTrue(ScoringMode.KLD.needsNextToken());
        assertFalse(ScoringMode.KLD.scored());
        assertTrue(ScoringMode.BOXED.scored());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ScoringMode.KLD.score(gsm8k, new ModelOutput.NextToken(Map.of("x", -0.1)), false));
        assertTrue(e.getMessage().contains("does not score items"), e.getMessage());
    }

    @Test
    void grammarTakesTheEmittedLetter() {
        assertEquals(new Score(true, "B", "grammar", Map.of()), ScoringMode.MC_GRAMMAR.score(mmlu, text(" B"), false));
        assertEquals(new Score(false, "C", "grammar", Map.of()), ScoringMode.MC_GRAMMAR.score(mmlu, text("C"), false));
        assertEquals(new Score(false, "", "grammar/invalid", Map.of()),
                ScoringMode.MC_GRAMMAR.score(mmlu, text("E"), false));
        assertThrows(IllegalArgumentException.class,
                () -> ScoringMode.MC_GRAMMAR.score(mmlu, new ModelOutput.NextToken(Map.of()), false));
    }

    @Test
    void generationReadsOnlyAfterTheReasoning() {
        assertEquals(new Score(true, "B", "mc/answer-colon", Map.of()), ScoringMode.MC_GENERATE.score(mmlu,
                text("Degree 4? Answer: C... no.\n</think>\n\nThe extension has degree 4.\nAnswer: B"), true));
        assertEquals(new Score(false, "", Extraction.THINK_UNCLOSED, Map.of()),
                ScoringMode.MC_GENERATE.score(mmlu, text("Answer: B, I think, but let me check"), true));
        assertEquals(new Score(false, "A", "mc/answer-colon", Map.of()),
                ScoringMode.MC_GENERATE.score(mmlu, text("Answer: A"), false));
    }

    @Test
    void numericExactMatchOnGsm8k() {
        assertEquals("18", gsm8k.answer());
        assertEquals(new Score(true, "18", "num/hash", Map.of()), ScoringMode.NUMERIC.score(gsm8k,
                text("16 - 3 - 4 = 9 eggs, 9 * $2 = $18.\n#### $18.00"), false));
        assertEquals(new Score(false, "9", "num/last", Map.of()),
                ScoringMode.NUMERIC.score(gsm8k, text("She sells 9 eggs"), false));
    }

    @Test
    void boxedAnswersOnMath500AndAime() {
        assertEquals(new Score(true, "\\left(3,\\dfrac{\\pi}{2}\\right)", "boxed/last", Map.of()),
                ScoringMode.BOXED.score(math500, text("r = 3, theta = pi/2\n</think>\nSo the point is "
                        + "$\\boxed{\\left(3,\\dfrac{\\pi}{2}\\right)}$."), true));
        assertEquals(new Score(true, "0204", "boxed/last", Map.of()),
                ScoringMode.BOXED.score(aime, text("\\boxed{0204}"), false));
        assertEquals(new Score(false, "", "boxed/none", Map.of()),
                ScoringMode.BOXED.score(aime, text("The answer is 204."), false));
    }

    @Test
    void modesRefuseItemsOfTheOtherKindAndNamesAreParsed() {
        assertThrows(IllegalArgumentException.class, () -> ScoringMode.BOXED.score(mmlu, text("\\boxed{B}"), false));
        assertThrows(IllegalArgumentException.class, () -> ScoringMode.MC_GENERATE.score(gsm8k, text("A"), false));
        assertEquals(ScoringMode.MC_GRAMMAR, ScoringMode.parse("mc-grammar"));
        assertThrows(IllegalArgumentException.class, () -> ScoringMode.parse("exact"));
    }
}

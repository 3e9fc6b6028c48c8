package io.quantsweep.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class EvalThroughputTest {
    @Test
    void comparableDropsOnlyTrailingReplacementCharacters() {
        assertEquals("a\uFFFDb", EvalThroughput.comparable("a\uFFFDb\uFFFD\uFFFD"));
        assertEquals("a\uFFFDb", EvalThroughput.comparable("a\uFFFDb"));
        assertEquals("", EvalThroughput.comparable("\uFFFD"));
    }

    @Test
    void serverSecondsAddsPromptAndGenerationCounters() {
        String metrics = """
                # HELP llamacpp:prompt_seconds_total Prompt process time
                # TYPE llamacpp:prompt_seconds_total counter
                llamacpp:prompt_seconds_total 1.5
                llamacpp:tokens_predicted_total 40
                llamacpp:tokens_predicted_seconds_total 0.25
                """;
        assertEquals(1.75, EvalThroughput.serverSeconds(metrics), 1e-12);
    }

    @Test
    void serverSecondsRefusesMetricsWithoutTheCounters() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> EvalThroughput.serverSeconds("llamacpp:prompt_seconds_total 1.5\n"));
        assertTrue(e.getMessage().contains("tokens_predicted_seconds_total"), e.getMessage());
    }

    @Test
    void firstDifferenceNamesTheItemAndSampleWithBothAnswers() {
        assertNull(EvalThroughput.firstDifference(List.of("A", "12\uFFFD"), List.of("A", "12"), 1));
        assertEquals("1\t0\t\"B\"\t\"C\\n\"", EvalThroughput.firstDifference(List.of("A", "A", "B", "D"), List.of("A", "A", "C\n", "E"), 2));
        assertEquals("0\t1\t\"A\"\tnull", EvalThroughput.firstDifference(List.of("A", "A"), List.of("A"), 2));
    }

    @Test
    void literalEscapesWhatWouldBreakALine() {
        assertEquals("\"a\\\"b\\\\c\\td\\u0001\\uFFFD\\u4E2D\"", EvalThroughput.literal("a\"b\\c\td\u0001\uFFFD中"));
        assertEquals("null", EvalThroughput.literal(null));
    }
}

package io.quantsweep.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}

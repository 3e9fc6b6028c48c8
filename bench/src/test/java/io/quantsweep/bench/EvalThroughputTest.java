package io.quantsweep.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class EvalThroughputTest {
    @Test
    void comparableDropsOnlyTrailingReplacementCharacters() {
        assertEquals("a\uFFFDb", EvalThroughput.comparable("a\uFFFDb\uFFFD\uFFFD"));
        assertEquals("a\uFFFDb", EvalThroughput.comparable("a\uFFFDb"));
        assertEquals("", EvalThroughput.comparable("\uFFFD"));
    }
}

package io.quantsweep.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The progress line: counts, gigabytes, rate and time left. */
class ProgressTest {

    @Test
    void aLineSaysHowFarHowFastAndHowLong() {
        assertEquals("quantize: 120/4000 units (3.0%), 12.0/700.0 GB, read 1.20 GB/s, ETA 9m 33s",
                Progress.line("quantize", 120, 4000, 12_000_000_000L, 700_000_000_000L, Progress.rate(12_000_000_000L, 10_000_000_000L)));
        assertEquals("quantize: 0/10 units (0.0%), 0.0/1.0 GB, read 0.00 GB/s, ETA unknown",
                Progress.line("quantize", 0, 10, 0, 1_000_000_000L, Progress.rate(0, 5_000_000_000L)));
        assertEquals("2h 05m", Progress.duration(7500));
        assertEquals("42s", Progress.duration(42));
    }

    @Test
    void theRateOfAResumedStageIsTakenFromItsFirstRead() {
        // a resumed stage: 9 s of start-up and verification read nothing, then 1 GB per 100 ms
        Progress.ReadRate rate = new Progress.ReadRate();
        assertEquals(0, rate.observe(9_000_000_000L, 0));
        assertEquals(0, rate.observe(9_100_000_000L, 1_000_000_000L));
        assertEquals(10e9, rate.observe(9_300_000_000L, 3_000_000_000L), 1);
        // averaged from the stage's start it would be 0.32 GB/s
        assertEquals("quantize: 8/10 units (80.0%), 8.0/10.0 GB, read 10.00 GB/s, ETA 0s",
                Progress.line("quantize", 8, 10, 8_000_000_000L, 10_000_000_000L, rate.observe(9_300_000_000L, 3_000_000_000L)));
    }

    @Test
    void closingPrintsTheFinalLine() {
        StringWriter s = new StringWriter();
        new Progress(new PrintWriter(s), "quantize", 3, 3_000_000_000L, () -> 3, () -> 3_000_000_000L, () -> 0, Duration.ZERO).close();
        assertEquals("quantize: 3/3 units (100.0%), 3.0/3.0 GB, read 0.00 GB/s, ETA unknown" + System.lineSeparator(), s.toString());
    }
}

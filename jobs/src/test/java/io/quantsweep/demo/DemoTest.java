package io.quantsweep.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.format.gguf.GgufReader;
import io.quantsweep.quantize.RunConflictException;
import io.quantsweep.spark.LocalSpark;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The demo end to end in a real local session: every variant quantized, evaluated and reported. */
@ExtendWith(LocalSpark.class)
class DemoTest {

    @Test
    void quantizesEvaluatesAndReportsEveryVariant(SparkSession spark, @TempDir Path dir) throws Exception {
        StringWriter log = new StringWriter();
        Demo.Result result = Demo.run(spark, dir, 0, new PrintWriter(log));

        List<Path> gguf;
        try (Stream<Path> files = Files.walk(dir.resolve("quant"))) {
            gguf = files.filter(p -> p.toString().endsWith(".gguf")).sorted().toList();
        }
        assertEquals(Demo.VARIANTS.size(), gguf.size(), "one GGUF per variant: " + gguf);
        for (Path file : gguf) {
            try (GgufReader reader = GgufReader.open(file)) {
                assertEquals("deepseek2", reader.header().requireString("general.architecture"));
                assertTrue(reader.header().tensors().stream().anyMatch(t -> t.spec().name().endsWith("attn_k_b.weight")),
                        file + " is in the split MLA layout, quantize's default");
            }
        }

        assertEquals(Demo.VARIANTS.size(), result.rows().size());
        Demo.Row baseline = result.rows().get(0);
        assertTrue(baseline.variant().contains("BF16"), "the baseline comes first: " + baseline);
        assertEquals(1.0, baseline.agreement().orElseThrow(), 0.0, "the baseline agrees with itself");
        assertEquals(0.0, baseline.meanKl().orElseThrow(), 0.0, "the baseline's distributions are its own");
        for (Demo.Row row : result.rows()) {
            assertTrue(row.accuracy().isPresent() && row.agreement().isPresent() && row.meanKl().isPresent(), "evaluated: " + row);
            assertTrue(row.meanRelativeRmse() > 0 && row.meanRelativeRmse() < 1, "quantization error of " + row);
        }
        // fewer bits, more error: the mixtures order as their bits per weight do
        Demo.Row q8 = find(result, "Q8_0");
        Demo.Row q2 = find(result, "Q2_K");
        assertTrue(q8.bitsPerWeight() > q2.bitsPerWeight() && q8.meanRelativeRmse() < q2.meanRelativeRmse());
        // and the next-token distributions stray further from the baseline's
        assertTrue(0 < q8.meanKl().orElseThrow() && q8.meanKl().orElseThrow() < q2.meanKl().orElseThrow(), q8 + " " + q2);

        String page = Files.readString(result.report());
        assertTrue(page.contains("<svg") && page.contains("Q4_K_M"), "the report draws the variants");
        assertTrue(Files.isDirectory(dir.resolve("eval/samples")) && Files.isDirectory(dir.resolve("eval/summary")));

        // a rerun resumes: nothing is quantized or evaluated again, the summary is the same
        StringWriter again = new StringWriter();
        Demo.Result rerun = Demo.run(spark, dir, 0, new PrintWriter(again));
        assertTrue(again.toString().contains("is complete; nothing to do"), again.toString());
        assertEquals(result.rows(), rerun.rows());

        // another seed's model is another demo: not resumed from this one's files
        RunConflictException other = assertThrows(RunConflictException.class,
                () -> Demo.run(spark, dir, 1, new PrintWriter(new StringWriter())));
        assertTrue(other.getMessage().contains("holds the demo of seed 0, not seed 1; rerun with --seed 0"), other.getMessage());
        Files.delete(dir.resolve(Demo.SEED_FILE));
        RunConflictException unknown = assertThrows(RunConflictException.class,
                () -> Demo.run(spark, dir, 0, new PrintWriter(new StringWriter())));
        assertTrue(unknown.getMessage().contains("holds a demo whose seed was not recorded"), unknown.getMessage());
    }

    private static Demo.Row find(Demo.Result result, String variant) {
        return result.rows().stream().filter(r -> r.variant().equals(variant)).findFirst().orElseThrow();
    }
}

package io.quantsweep.eval.score;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.eval.bench.BenchmarkSlices;
import io.quantsweep.eval.bench.Item;
import io.quantsweep.eval.bench.JsonlLoader;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The extractors read each dataset's own worked solutions back to its gold answer. On the full files in
 * /work/shared/benchmarks this holds for all 500 MATH-500, all 30 AIME 2024 and all 8,792 GSM8K
 * solutions; here it runs on the slices.
 */
class GoldSolutionsTest {
    @Test
    void math500() throws IOException {
        List<Item> items = JsonlLoader.MATH500.load(BenchmarkSlices.dir("math500"), "test").items();
        for (Item i : items) {
            Extraction e = MathAnswer.extract(i.solution());
            assertEquals("boxed/last", e.extractor(), i.id());
            assertTrue(MathAnswer.equivalent(e.answer(), i.answer()), i.id() + ": " + e.answer() + " vs " + i.answer());
        }
    }

    @Test
    void aimeSolutionsBoxAnswersTheAoPSWay() throws IOException {
        List<Item> items = JsonlLoader.AIME.load(BenchmarkSlices.dir("aime24"), "test").items();
        assertEquals("\\textbf{(113) }", MathAnswer.extract(items.get(1).solution()).answer());
        for (Item i : items) {
            Extraction e = MathAnswer.extract(i.solution());
            assertTrue(MathAnswer.equivalent(e.answer(), i.answer()), i.id() + ": " + e.answer() + " vs " + i.answer());
        }
    }

    @Test
    void gsm8k() throws IOException {
        for (String split : List.of("test", "train")) {
            for (Item i : JsonlLoader.GSM8K.load(BenchmarkSlices.dir("gsm8k"), split).items()) {
                Extraction e = NumericAnswer.extract(i.solution());
                assertEquals(new Extraction(i.answer(), "num/hash"), e, split + " " + i.id());
            }
        }
    }
}

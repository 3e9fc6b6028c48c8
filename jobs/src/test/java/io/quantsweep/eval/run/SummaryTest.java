package io.quantsweep.eval.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.quantsweep.eval.sweep.BenchmarkSpec;
import io.quantsweep.eval.sweep.SweepFile;
import io.quantsweep.eval.sweep.SweepFormatException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The summary on hand-made verdicts, every number worked out by hand in the comments. */
class SummaryTest {
    private static List<BenchmarkSpec> benchmarks() throws SweepFormatException {
        return SweepFile.parse("""
                name: s
                baseline: b
                variants: [{name: b, gguf: b.gguf}, {name: v, gguf: v.gguf}]
                benchmarks:
                  - {name: mmlu, loader: jsonl-choice, path: x, template: mmlu-lm-eval, scoring: mc-grammar, weight: 2}
                  - {name: math, loader: jsonl-free, path: x, template: math-boxed, scoring: boxed, max-tokens: 9, samples: 2, temperature: 0.6, weight: 1}
                  - {name: extra, loader: jsonl-free, path: x, template: gsm8k-lm-eval, scoring: numeric, max-tokens: 9, weight: 0}
                """, "s.yaml").benchmarks();
    }

    private static ItemResult item(String variant, String benchmark, String id, String answers, boolean... correct) {
        List<Boolean> c = new ArrayList<>();
        for (boolean x : correct) {
            c.add(x);
        }
        return new ItemResult(variant, benchmark, id, c, List.of(answers.split(",")));
    }

    @Test
    void accuracySpreadsPairedTestAgreementAndTheWeightedAverage() throws SweepFormatException {
        List<ItemResult> results = List.of(
                item("b", "mmlu", "i1", "A", true), item("b", "mmlu", "i2", "B", true),
                item("b", "mmlu", "i3", "C", false), item("b", "mmlu", "i4", "D", false),
                item("v", "mmlu", "i1", "A", true), item("v", "mmlu", "i2", "C", false),
                item("v", "mmlu", "i3", "C", true), item("v", "mmlu", "i4", "A", false),
                item("b", "math", "m1", "1,1", true, true), item("b", "math", "m2", "2,3", true, false),
                item("b", "math", "m3", "4,5", false, false),
                item("v", "math", "m1", "1,9", true, false), item("v", "math", "m2", "7,8", false, false),
                item("v", "math", "m3", "4,6", false, false),
                item("v", "extra", "e1", "3", true));
        Map<String, Map<String, Double>> prefixes = Map.of("v", Map.of("math", 3.5));
        Map<String, SummaryRow> rows = new HashMap<>();
        for (SummaryRow r : Summary.of("b", List.of("b", "v"), benchmarks(), results, prefixes)) {
            rows.put(r.variant() + "/" + r.benchmark(), r);
        }
        assertEquals(7, rows.size(), rows.keySet().toString());

        // mmlu: 2 of 4 right each; i2 only the baseline, i3 only the variant: p = min(1, 2 * P(X <= 1 | n = 2)) = 1
        SummaryRow mmlu = rows.get("v/mmlu");
        assertEquals(new SummaryRow("v", "mmlu", "benchmark", "mc-grammar", 4, 4, 1, 0.5, null, mmlu.standardError(), null,
                null, 2.0, "b", 0.5, 0.0, 4, 1, 1, 1.0, 4, 0.5, null, List.of("mmlu")), mmlu);
        // per-item scores 1, 0, 1, 0: sample std sqrt(1/3), over sqrt(4)
        assertEquals(Math.sqrt(1.0 / 3) / 2, mmlu.standardError(), 1e-15);

        // math, k = 2: item scores 1/2, 0, 0 -> 1/6; runs (sample 0, sample 1) = (1/3, 0)
        SummaryRow math = rows.get("v/math");
        assertEquals(1.0 / 6, math.accuracy(), 1e-15);
        assertEquals(2, math.samplesPerItem());
        assertEquals(6, math.samples());
        assertEquals(Math.sqrt(2 * (1.0 / 6) * (1.0 / 6)), math.stdOverSamples(), 1e-15);
        // the baseline: item scores 1, 1/2, 0 -> 1/2; runs (2/3, 1/3) -> std sqrt(1/18)
        assertEquals(0.5, rows.get("b/math").accuracy());
        assertEquals(Math.sqrt(1.0 / 18), rows.get("b/math").stdOverSamples(), 1e-15);
        assertEquals((0.5 - 1.0 / 6) / 0.5, math.relativeDrop(), 1e-15);
        // first samples: baseline T T F, variant T F F -> b = 1, c = 0, p = 2 * 1/2 = 1
        assertEquals(List.of(3, 1, 0, 1.0), List.of(math.mcnemarPairs(), math.mcnemarBaselineOnly(),
                math.mcnemarVariantOnly(), math.mcnemarPValue()));
        // first answers 1/1, 7/2, 4/4
        assertEquals(2.0 / 3, math.agreement(), 1e-15);
        // a right sample among the two: m1 only -> 1/3; the baseline m1, m2 -> 2/3
        assertEquals(1.0 / 3, math.passAtK(), 1e-15);
        assertEquals(2.0 / 3, rows.get("b/math").passAtK(), 1e-15);
        // majorities: m1 1 against 9, a tie the first answer wins, right; m2, m3 wrong -> 1/3; the baseline m1 1, 1
        // and m2 2 against 3 right -> 2/3
        assertEquals(1.0 / 3, math.consAtK(), 1e-15);
        assertEquals(2.0 / 3, rows.get("b/math").consAtK(), 1e-15);
        assertNull(mmlu.consAtK(), "one sample per item: no vote");
        assertEquals(3.5, math.commonPrefixChars());

        // a benchmark the baseline lacks: nothing to compare with
        SummaryRow extra = rows.get("v/extra");
        assertEquals(1.0, extra.accuracy());
        assertNull(extra.baselineAccuracy());
        assertNull(extra.relativeDrop());
        assertEquals(0, extra.mcnemarPairs());
        assertEquals(0, extra.agreementItems());
        assertNull(extra.agreement());
        assertNull(extra.standardError(), "one item has no standard error");

        // weights mmlu 2, math 1, extra 0 (left out): (2 * 1/2 + 1/6) / 3 = 7/18 against (2 * 1/2 + 1/2) / 3 = 1/2
        SummaryRow weighted = rows.get("v/weighted-average");
        assertEquals(new SummaryRow("v", "weighted-average", "weighted-average", null, 7, 10, null, weighted.accuracy(),
                null, null, null, null, 3.0, "b", 0.5, weighted.relativeDrop(), null, null, null, null, null, null, null,
                List.of("math", "mmlu")), weighted);
        assertEquals(7.0 / 18, weighted.accuracy(), 1e-15);
        assertEquals((0.5 - 7.0 / 18) / 0.5, weighted.relativeDrop(), 1e-15);
        assertEquals(0.0, rows.get("b/weighted-average").relativeDrop());
        assertEquals(1.0, rows.get("b/mmlu").agreement());
    }

    @Test
    void aBaselineWithoutAccuracyHasNoDrop() throws SweepFormatException {
        List<ItemResult> results = List.of(item("b", "mmlu", "i1", "B", false), item("v", "mmlu", "i1", "A", true));
        List<SummaryRow> rows = Summary.of("b", List.of("b", "v"), benchmarks(), results, Map.of());
        SummaryRow v = rows.get(2);
        assertEquals("v/mmlu", v.variant() + "/" + v.benchmark());
        assertEquals(0.0, v.baselineAccuracy());
        assertNull(v.relativeDrop(), "(0 - 1) / 0 is undefined");
        assertEquals(List.of(1, 0, 1, 1.0), List.of(v.mcnemarPairs(), v.mcnemarBaselineOnly(), v.mcnemarVariantOnly(),
                v.mcnemarPValue()));
        assertEquals(0.0, v.agreement());
    }
}

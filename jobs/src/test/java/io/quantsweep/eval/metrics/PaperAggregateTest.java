package io.quantsweep.eval.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/**
 * The paper's own aggregate rows (arXiv 2505.02390, README tables as quoted in
 * {@code /work/shared/spec/paper-dq3km.md} §2): our weighted average, average and drop reproduce them.
 */
class PaperAggregateTest {
    private static final List<String> BENCHMARKS = List.of("AIME 2024", "MATH 500", "GPQA", "MBPP", "MBPP+",
            "LiveCodeBench", "MMLU", "CMMLU", "C-Eval");

    /** One column: nine scores in {@link #BENCHMARKS} order, then the printed Average, Weighted avg. and drop (%). */
    private record Column(String table, String name, double[] scores, double average, double weighted, double drop) {
        Map<String, Double> byBenchmark() {
            Map<String, Double> m = new LinkedHashMap<>();
            for (int i = 0; i < scores.length; i++) {
                m.put(BENCHMARKS.get(i), scores[i]);
            }
            return m;
        }
    }

    private static Column col(String table, String name, double average, double weighted, double drop,
            double... scores) {
        return new Column(table, name, scores, average, weighted, drop);
    }

    // Table 5 (32B) prints LiveCodeBench before MBPP; its scores are put back into BENCHMARKS order here.
    private static final List<List<Column>> TABLES = List.of(
            List.of(col("R1", "FP8 (Official API)", 83.48, 85.82, 0, 77.53, 95.45, 69.58, 92.60, 78.35, 64.16, 90.99, 90.37, 92.20),
                    col("R1", "Q4_K_M", 82.70, 85.24, 0.68, 75.43, 95.55, 69.95, 91.60, 76.70, 62.41, 90.14, 90.42, 92.10),
                    col("R1", "Q3_K_M", 81.44, 84.28, 1.80, 72.50, 94.15, 65.80, 90.43, 76.75, 61.95, 89.87, 89.85, 91.60),
                    col("R1", "UD-Q2_K_XL", 82.63, 85.02, 0.94, 75.83, 95.25, 68.93, 92.93, 78.33, 61.40, 89.72, 89.61, 91.70),
                    col("R1", "DQ3_K_M", 83.03, 85.53, 0.34, 75.41, 95.35, 68.95, 92.80, 78.60, 63.15, 91.03, 90.17, 91.80)),
            List.of(col("V3", "FP8 (Tencent API)", 70.05, 75.45, 0, 38.34, 89.85, 52.23, 87.75, 73.35, 36.21, 88.06, 81.57, 83.10),
                    col("V3", "Q4_K_M", 70.59, 75.79, 0, 41.66, 90.55, 51.95, 87.18, 72.90, 37.40, 88.09, 82.68, 82.90),
                    col("V3", "Q3_K_M", 69.82, 75.06, 0.52, 38.73, 89.05, 52.13, 88.55, 73.08, 36.21, 87.31, 80.69, 82.60),
                    col("V3", "Q2_K_L", 61.51, 68.73, 8.91, 15.41, 77.30, 43.65, 81.10, 67.83, 29.14, 84.25, 77.32, 77.60),
                    col("V3", "DQ3_K_M", 70.47, 75.73, 0, 39.16, 89.65, 52.38, 89.38, 74.78, 36.76, 87.87, 81.07, 83.40)),
            List.of(col("32B", "BF16 (Local)", 77.78, 79.94, 0, 69.59, 93.65, 61.85, 89.35, 75.43, 57.08, 82.15, 83.91, 87.0),
                    col("32B", "Q8_0", 77.65, 79.71, 0.29, 71.68, 93.10, 58.85, 89.35, 75.45, 57.59, 82.15, 83.97, 86.7),
                    col("32B", "Q4_K_M", 77.91, 79.97, 0, 70.40, 93.90, 62.00, 89.73, 75.53, 56.85, 82.37, 83.57, 86.8),
                    col("32B", "Q3_K_M", 77.35, 79.40, 0.68, 71.24, 93.50, 60.20, 88.93, 75.38, 55.20, 82.17, 83.34, 86.2)));

    @Test
    void weightedAverageAverageAndDropReproduceEveryR1V3And32bRow() {
        int checked = 0;
        for (List<Column> table : TABLES) {
            double baseline = PaperAggregate.weightedAverage(table.get(0).byBenchmark()).value();
            for (Column c : table) {
                String what = c.table() + " " + c.name();
                PaperAggregate.WeightedAverage w = PaperAggregate.weightedAverage(c.byBenchmark());
                assertEquals(c.weighted(), w.value(), 0.01, what + " weighted avg.");
                assertEquals(11.4, w.totalWeight(), 1e-12);
                assertEquals(List.of(), w.unweighted());
                // the printed averages are within 0.02 except V3 DQ3_K_M: 70.47 printed, 70.494 from its scores
                assertEquals(c.average(), PaperAggregate.average(c.byBenchmark()), 0.025, what + " average");
                // the paper prints a negative drop as 0; its drops come from rounded averages, hence 0.02 points
                double drop = 100 * Math.max(0, PaperAggregate.relativeDrop(baseline, w.value()));
                assertEquals(c.drop(), drop, 0.02, what + " accuracy drop");
                checked++;
            }
        }
        assertEquals(14, checked);
    }

    @Test
    void v3_0324PrintedTheWeightedSumOver18() {
        Column fp8 = col("V3-0324", "FP8 (Official API)", 76.66, 51.11, 0, 57.9, 93.25, 60.48, 89.03, 74.73, 49.73,
                89.08, 86.13, 89.60);
        PaperAggregate.WeightedAverage w = PaperAggregate.weightedAverage(fp8.byBenchmark());
        assertEquals(80.70, w.value(), 0.01);
        assertEquals(fp8.weighted(), w.value() * w.totalWeight() / 18, 0.01);
    }

    @Test
    void onlyThePresentBenchmarksCount() {
        Map<String, Double> scores = new LinkedHashMap<>();
        scores.put("mmlu", 90.0);
        scores.put("aime24", 80.0);
        scores.put("HumanEval", 50.0);
        PaperAggregate.WeightedAverage w = PaperAggregate.weightedAverage(scores);
        assertEquals((2 * 90.0 + 0.4 * 80.0) / 2.4, w.value(), 1e-12);
        assertEquals(List.of("HumanEval"), w.unweighted());
        assertEquals(List.of("aime24", "mmlu"), w.used());
        assertTrue(Double.isNaN(PaperAggregate.weightedAverage(Map.of("HumanEval", 1.0)).value()));

        PaperAggregate.WeightedAverage own = PaperAggregate.weightedAverage(scores,
                Map.of("mmlu", 1.0, "HumanEval", 3.0, "aime24", 0.0));
        assertEquals((90.0 + 3 * 50.0) / 4, own.value(), 1e-12);
        assertEquals(List.of("aime24"), own.unweighted());
    }

    @Test
    void benchmarkNamesAndWeights() {
        assertEquals("ceval", PaperAggregate.key("C-Eval"));
        assertEquals("aime", PaperAggregate.key("AIME 2024"));
        assertEquals("mbpp+", PaperAggregate.key("MBPP_plus"));
        assertEquals("livecodebench", PaperAggregate.key("LCB"));
        assertEquals(OptionalDouble.of(2.0), PaperAggregate.weight("CMMLU"));
        assertEquals(OptionalDouble.empty(), PaperAggregate.weight("gsm8k"));
        assertEquals(-0.1, PaperAggregate.relativeDrop(50, 55), 1e-12);
    }
}

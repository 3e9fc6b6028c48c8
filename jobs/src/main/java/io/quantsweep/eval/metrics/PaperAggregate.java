package io.quantsweep.eval.metrics;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The aggregates of arXiv 2505.02390 (DQ3_K_M), as reconstructed from its tables: a weighted average
 * over the benchmarks present with weights AIME 0.4; MATH-500, GPQA, MBPP, MBPP+, LiveCodeBench 1;
 * MMLU, CMMLU, C-Eval 2 (it reproduces every R1, V3 and 32B "Weighted avg." row to ±0.01), and the
 * accuracy drop relative to the baseline's weighted average (printed as 0 when negative).
 */
public final class PaperAggregate {
    /** The paper's weights by canonical benchmark key ({@link #key}). */
    public static final Map<String, Double> WEIGHTS = Map.of("aime", 0.4, "math500", 1.0, "gpqa", 1.0, "mbpp", 1.0,
            "mbpp+", 1.0, "livecodebench", 1.0, "mmlu", 2.0, "cmmlu", 2.0, "ceval", 2.0);

    private static final Map<String, String> ALIASES = Map.of("aime24", "aime", "aime2024", "aime", "math", "math500",
            "gpqadiamond", "gpqa", "mbppplus", "mbpp+", "lcb", "livecodebench");

    private PaperAggregate() {
    }

    /**
     * A weighted average and what went into it.
     *
     * @param value       Σ wᵢ·scoreᵢ / Σ wᵢ over the used benchmarks (NaN if none)
     * @param totalWeight Σ wᵢ over the used benchmarks
     * @param used        benchmarks that have a weight, in name order (the order of the sum)
     * @param unweighted  benchmarks left out because they have no weight, in name order
     */
    public record WeightedAverage(double value, double totalWeight, List<String> used, List<String> unweighted) {
        public WeightedAverage {
            used = List.copyOf(used);
            unweighted = List.copyOf(unweighted);
        }
    }

    /**
     * The canonical key of a benchmark name: lower case without spaces, dashes, dots or underscores,
     * with the aliases {@code aime24}/{@code aime2024} → {@code aime}, {@code math} → {@code math500},
     * {@code gpqadiamond} → {@code gpqa}, {@code mbppplus} → {@code mbpp+}, {@code lcb} →
     * {@code livecodebench}; e.g. "C-Eval" → {@code ceval}, "MATH 500" → {@code math500}.
     */
    public static String key(String benchmark) {
        String k = benchmark.toLowerCase(Locale.ROOT).replaceAll("[\\s_.\\-]", "");
        return ALIASES.getOrDefault(k, k);
    }

    /** The paper's weight of a benchmark name, if it has one. */
    public static OptionalDouble weight(String benchmark) {
        Double w = WEIGHTS.get(key(benchmark));
        return w == null ? OptionalDouble.empty() : OptionalDouble.of(w);
    }

    /** The weighted average of {@code scores} (benchmark name → score) with the paper's weights. */
    public static WeightedAverage weightedAverage(Map<String, Double> scores) {
        return weightedAverage(scores, PaperAggregate::weight);
    }

    /**
     * The weighted average of {@code scores} with the given weights (a sweep's benchmark weights);
     * benchmarks without a weight, or with weight 0, are left out.
     */
    public static WeightedAverage weightedAverage(Map<String, Double> scores, Map<String, Double> weights) {
        return weightedAverage(scores, name -> weights.containsKey(name) && weights.get(name) > 0
                ? OptionalDouble.of(weights.get(name)) : OptionalDouble.empty());
    }

    private static WeightedAverage weightedAverage(Map<String, Double> scores,
            Function<String, OptionalDouble> weightOf) {
        List<String> used = new ArrayList<>();
        List<String> unweighted = new ArrayList<>();
        double sum = 0;
        double total = 0;
        for (Map.Entry<String, Double> e : new TreeMap<>(scores).entrySet()) {
            OptionalDouble w = weightOf.apply(e.getKey());
            if (w.isEmpty()) {
                unweighted.add(e.getKey());
                continue;
            }
            used.add(e.getKey());
            sum += w.getAsDouble() * e.getValue();
            total += w.getAsDouble();
        }
        return new WeightedAverage(total == 0 ? Double.NaN : sum / total, total, used, unweighted);
    }

    /** The plain mean of the scores (the paper's "Average" row). */
    public static double average(Map<String, Double> scores) {
        return new TreeMap<>(scores).values().stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    /** (baseline − variant) / baseline: the relative drop, negative when the variant is better. */
    public static double relativeDrop(double baseline, double variant) {
        if (!(baseline > 0)) {
            throw new IllegalArgumentException("baseline must be positive, got " + baseline);
        }
        return (baseline - variant) / baseline;
    }
}

package io.quantsweep.report;

import io.quantsweep.eval.metrics.PaperAggregate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The results table of arXiv 2505.02390: benchmarks × variants in percent, then the plain average,
 * the weighted average ({@link PaperAggregate}: the sweep's weights, or the paper's when the sweep
 * recorded none) and the relative drop of the weighted average against the baseline, with
 * significance marks from the exact McNemar test against the baseline.
 *
 * @param variants display order, the baseline first
 * @param average variant → mean of its scores in percent
 * @param weighted variant → weighted average in percent (NaN when no benchmark has a weight)
 * @param drop variant → (baseline − variant) / baseline of the weighted averages, in percent; NaN for
 *     the baseline; negative when the variant scores higher
 * @param paperWeights true when the paper's weights were used
 */
public record PaperTable(String baseline, List<String> variants, List<String> benchmarks, Map<String, Double> average,
        Map<String, Double> weighted, Map<String, Double> drop, boolean paperWeights) {

    /** p below which a difference is marked {@code *}. */
    public static final double SIGNIFICANT = 0.05;
    /** p below which a difference is marked {@code **}. */
    public static final double HIGHLY_SIGNIFICANT = 0.01;

    /** The table of {@code summary} with its variants in {@code order} (summary names). */
    public static PaperTable of(SweepSummary summary, List<String> order) {
        Map<String, Double> average = new LinkedHashMap<>();
        Map<String, Double> weighted = new LinkedHashMap<>();
        boolean paper = summary.weights().isEmpty();
        for (String v : order) {
            Map<String, Double> percent = new TreeMap<>();
            summary.scores().stream().filter(s -> s.variant().equals(v)).forEach(s -> percent.put(s.benchmark(), 100 * s.accuracy()));
            average.put(v, PaperAggregate.average(percent));
            weighted.put(v, (paper ? PaperAggregate.weightedAverage(percent)
                    : PaperAggregate.weightedAverage(percent, summary.weights())).value());
        }
        double base = weighted.get(summary.baseline());
        Map<String, Double> drop = new LinkedHashMap<>();
        for (String v : order) {
            boolean comparable = !v.equals(summary.baseline()) && base > 0 && !Double.isNaN(weighted.get(v));
            drop.put(v, comparable ? 100 * PaperAggregate.relativeDrop(base, weighted.get(v)) : Double.NaN);
        }
        return new PaperTable(summary.baseline(), List.copyOf(order), summary.benchmarks(), average, weighted, drop, paper);
    }

    /** {@code **} for p &lt; 0.01, {@code *} for p &lt; 0.05, else nothing (also for NaN). */
    public static String marks(double p) {
        return p < HIGHLY_SIGNIFICANT ? "**" : p < SIGNIFICANT ? "*" : "";
    }
}

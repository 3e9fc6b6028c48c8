package io.quantsweep.report;

import io.quantsweep.eval.metrics.PaperAggregate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The results table of arXiv 2505.02390: benchmarks × variants in percent, then the plain average,
 * the weighted average ({@link PaperAggregate}: the sweep's weights, or the paper's when the sweep
 * recorded none) and the relative drop of the weighted average against the baseline, with
 * significance marks from the exact McNemar test against the baseline.
 *
 * @param variants display order, the baseline first
 * @param average variant → mean of its scores in percent
 * @param weighted variant → weighted average in percent (NaN when no benchmark has a weight)
 * @param drop variant → (baseline − variant) / baseline of the weighted averages over the variant's
 *     benchmarks, in percent; NaN for the baseline and where the baseline lacks one of them; negative
 *     when the variant scores higher
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
        Map<String, List<String>> used = new LinkedHashMap<>();
        Map<String, Map<String, Double>> percents = new LinkedHashMap<>();
        boolean paper = summary.weights().isEmpty();
        Function<Map<String, Double>, PaperAggregate.WeightedAverage> weigh = percent -> paper
                ? PaperAggregate.weightedAverage(percent) : PaperAggregate.weightedAverage(percent, summary.weights());
        for (String v : order) {
            Map<String, Double> percent = new TreeMap<>();
            summary.scores().stream().filter(s -> s.variant().equals(v)).forEach(s -> percent.put(s.benchmark(), 100 * s.accuracy()));
            percents.put(v, percent);
            average.put(v, PaperAggregate.average(percent));
            PaperAggregate.WeightedAverage w = weigh.apply(percent);
            weighted.put(v, w.value());
            used.put(v, w.used());
        }
        // against the baseline's weighted average over the variant's own benchmarks, as eval/summary does
        Map<String, Double> base = percents.getOrDefault(summary.baseline(), Map.of());
        Map<String, Double> drop = new LinkedHashMap<>();
        for (String v : order) {
            double value = Double.NaN;
            if (!v.equals(summary.baseline()) && !Double.isNaN(weighted.get(v)) && base.keySet().containsAll(used.get(v))) {
                Map<String, Double> same = new TreeMap<>(base);
                same.keySet().retainAll(used.get(v));
                double baseline = weigh.apply(same).value();
                value = baseline > 0 ? 100 * PaperAggregate.relativeDrop(baseline, weighted.get(v)) : Double.NaN;
            }
            drop.put(v, value);
        }
        return new PaperTable(summary.baseline(), List.copyOf(order), summary.benchmarks(), average, weighted, drop, paper);
    }

    /** {@code **} for p &lt; 0.01, {@code *} for p &lt; 0.05, else nothing (also for NaN). */
    public static String marks(double p) {
        return p < HIGHLY_SIGNIFICANT ? "**" : p < SIGNIFICANT ? "*" : "";
    }
}

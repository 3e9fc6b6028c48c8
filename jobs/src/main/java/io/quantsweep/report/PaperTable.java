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
 * <p>The averages of one row are over the same benchmarks, so that they can be compared: a variant
 * without a score on one of the table's benchmarks has no average (and no weighted average when that
 * benchmark has a weight). Its drop is still given: it compares the variant with the baseline on the
 * variant's own benchmarks.
 *
 * @param variants display order, the baseline first
 * @param average variant → mean of its scores in percent; NaN when it lacks one of {@code benchmarks}
 * @param weighted variant → weighted average in percent; NaN when it lacks one of {@code benchmarks}
 *     that has a weight, or when no benchmark has one
 * @param drop variant → (baseline − variant) / baseline of the weighted averages over the variant's
 *     benchmarks, in percent; NaN for the baseline and where the baseline lacks one of them; negative
 *     when the variant scores higher
 * @param missing variant → the benchmarks of the table it has no score on, in name order
 * @param paperWeights true when the paper's weights were used
 */
public record PaperTable(String baseline, List<String> variants, List<String> benchmarks, Map<String, Double> average,
        Map<String, Double> weighted, Map<String, Double> drop, Map<String, List<String>> missing, boolean paperWeights) {

    /** p below which a difference is marked {@code *}. */
    public static final double SIGNIFICANT = 0.05;
    /** p below which a difference is marked {@code **}. */
    public static final double HIGHLY_SIGNIFICANT = 0.01;

    /** The table of {@code summary} with its variants in {@code order} (summary names). */
    public static PaperTable of(SweepSummary summary, List<String> order) {
        Map<String, Double> average = new LinkedHashMap<>();
        Map<String, Double> weighted = new LinkedHashMap<>();
        Map<String, PaperAggregate.WeightedAverage> own = new LinkedHashMap<>();
        Map<String, List<String>> missing = new LinkedHashMap<>();
        Map<String, Map<String, Double>> percents = new LinkedHashMap<>();
        boolean paper = summary.weights().isEmpty();
        Function<Map<String, Double>, PaperAggregate.WeightedAverage> weigh = percent -> paper
                ? PaperAggregate.weightedAverage(percent) : PaperAggregate.weightedAverage(percent, summary.weights());
        List<String> benchmarks = summary.benchmarks();
        // the benchmarks with a weight, as the weighted average picks them (their scores do not matter)
        Map<String, Double> each = new TreeMap<>();
        benchmarks.forEach(b -> each.put(b, 0.0));
        List<String> withWeight = weigh.apply(each).used();
        for (String v : order) {
            Map<String, Double> percent = new TreeMap<>();
            summary.scores().stream().filter(s -> s.variant().equals(v)).forEach(s -> percent.put(s.benchmark(), 100 * s.accuracy()));
            percents.put(v, percent);
            List<String> lacks = benchmarks.stream().filter(b -> !percent.containsKey(b)).toList();
            missing.put(v, lacks);
            PaperAggregate.WeightedAverage w = weigh.apply(percent);
            own.put(v, w);
            // over fewer benchmarks than the other variants', an average would rank it on other questions
            average.put(v, lacks.isEmpty() ? PaperAggregate.average(percent) : Double.NaN);
            weighted.put(v, lacks.stream().noneMatch(withWeight::contains) ? w.value() : Double.NaN);
        }
        // against the baseline's weighted average over the variant's own benchmarks, as eval/summary does
        Map<String, Double> base = percents.getOrDefault(summary.baseline(), Map.of());
        Map<String, Double> drop = new LinkedHashMap<>();
        for (String v : order) {
            PaperAggregate.WeightedAverage w = own.get(v);
            double value = Double.NaN;
            if (!v.equals(summary.baseline()) && !Double.isNaN(w.value()) && base.keySet().containsAll(w.used())) {
                Map<String, Double> same = new TreeMap<>(base);
                same.keySet().retainAll(w.used());
                double baseline = weigh.apply(same).value();
                value = baseline > 0 ? 100 * PaperAggregate.relativeDrop(baseline, w.value()) : Double.NaN;
            }
            drop.put(v, value);
        }
        return new PaperTable(summary.baseline(), List.copyOf(order), benchmarks, average, weighted, drop, missing, paper);
    }

    /** {@code **} for p &lt; 0.01, {@code *} for p &lt; 0.05, else nothing (also for NaN). */
    public static String marks(double p) {
        return p < HIGHLY_SIGNIFICANT ? "**" : p < SIGNIFICANT ? "*" : "";
    }
}

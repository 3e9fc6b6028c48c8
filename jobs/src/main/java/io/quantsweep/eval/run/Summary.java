package io.quantsweep.eval.run;

import io.quantsweep.eval.metrics.AccuracySummary;
import io.quantsweep.eval.metrics.Agreement;
import io.quantsweep.eval.metrics.MajorityVote;
import io.quantsweep.eval.metrics.McNemar;
import io.quantsweep.eval.metrics.PaperAggregate;
import io.quantsweep.eval.sweep.BenchmarkSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The summary of a sweep's scored samples: per variant and benchmark, accuracy with its spreads
 * ({@link AccuracySummary}) and the comparison with the baseline on the same items; per variant, the
 * paper's weighted average ({@link PaperAggregate}) with the sweep's weights.
 *
 * <p>With k ≥ 2 samples per item, pass@k and cons@k (the majority vote, {@link MajorityVote}) go
 * beside the accuracy, which is pass@1 averaged over the k.
 *
 * <p>The paired test and the agreement use each item's <b>first sample</b> (sample 0): with greedy
 * decoding it is the only one; with sampling it is one draw per item whose seed every variant shares,
 * which keeps the pairs independent across items as McNemar's test assumes (a majority over k samples
 * would need a tie rule and is no longer a plain right/wrong pair). The relative drop of a weighted
 * average compares it with the baseline's weighted average over the same benchmarks; it is null if
 * the baseline lacks one of them, or when the baseline's value is 0.
 */
final class Summary {
    private Summary() {
    }

    /**
     * @param baseline    the baseline variant
     * @param variants    variant names in sweep order
     * @param benchmarks  the scored benchmarks in sweep order
     * @param results     every item result of those benchmarks
     * @param prefixChars mean common-prefix lengths by variant and benchmark, where they apply
     */
    static List<SummaryRow> of(String baseline, List<String> variants, List<BenchmarkSpec> benchmarks,
            List<ItemResult> results, Map<String, Map<String, Double>> prefixChars) {
        Map<String, Map<String, List<ItemResult>>> byVariant = new LinkedHashMap<>();
        for (ItemResult r : results) {
            byVariant.computeIfAbsent(r.variant(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(r.benchmark(), k -> new ArrayList<>()).add(r);
        }
        Map<String, Double> weights = new TreeMap<>();
        benchmarks.forEach(b -> weights.put(b.name(), b.weight()));
        Map<String, Map<String, AccuracySummary>> accuracy = new LinkedHashMap<>();
        byVariant.forEach((v, perBenchmark) -> perBenchmark.forEach((b, items) -> accuracy
                .computeIfAbsent(v, k -> new TreeMap<>()).put(b, accuracy(items))));

        List<SummaryRow> rows = new ArrayList<>();
        Map<String, List<ItemResult>> base = byVariant.getOrDefault(baseline, Map.of());
        for (String v : variants) {
            Map<String, List<ItemResult>> mine = byVariant.getOrDefault(v, Map.of());
            for (BenchmarkSpec b : benchmarks) {
                List<ItemResult> items = mine.get(b.name());
                if (items != null) {
                    rows.add(benchmarkRow(v, b, baseline, items, base.getOrDefault(b.name(), List.of()),
                            prefixChars.getOrDefault(v, Map.of()).get(b.name())));
                }
            }
            if (accuracy.containsKey(v)) {
                rows.add(weightedRow(v, baseline, accuracy.get(v), accuracy.getOrDefault(baseline, Map.of()), weights));
            }
        }
        return rows;
    }

    private static SummaryRow benchmarkRow(String variant, BenchmarkSpec b, String baseline, List<ItemResult> items,
            List<ItemResult> baseItems, Double prefixChars) {
        AccuracySummary a = accuracy(items);
        Double baseAccuracy = baseItems.isEmpty() ? null : accuracy(baseItems).accuracy();
        McNemar m = McNemar.test(firstVerdicts(baseItems), firstVerdicts(items));
        Agreement agree = Agreement.of(firstAnswers(baseItems), firstAnswers(items), b.scoring()::sameAnswer);
        return new SummaryRow(variant, b.name(), SummaryRow.BENCHMARK, b.scoring().id(), a.items(), a.samples(),
                a.samplesPerItem(), a.accuracy(), SummaryRow.defined(a.stdOverSamples()),
                SummaryRow.defined(a.standardError()), SummaryRow.defined(a.passAtK()),
                a.samplesPerItem() >= 2 ? consensus(items, b) : null, b.weight(), baseline, baseAccuracy,
                drop(baseAccuracy, a.accuracy()),
                m.pairs(), m.baselineOnly(), m.variantOnly(), m.pValue(), agree.items(), SummaryRow.defined(agree.share()),
                prefixChars, List.of(b.name()));
    }

    private static SummaryRow weightedRow(String variant, String baseline, Map<String, AccuracySummary> mine,
            Map<String, AccuracySummary> base, Map<String, Double> weights) {
        PaperAggregate.WeightedAverage w = PaperAggregate.weightedAverage(scores(mine), weights);
        Double baseAverage = null;
        if (!w.used().isEmpty() && base.keySet().containsAll(w.used())) {
            Map<String, AccuracySummary> same = new TreeMap<>(base);
            same.keySet().retainAll(w.used());
            baseAverage = PaperAggregate.weightedAverage(scores(same), weights).value();
        }
        int items = 0;
        long samples = 0;
        for (String b : w.used()) {
            items += mine.get(b).items();
            samples += mine.get(b).samples();
        }
        Double value = SummaryRow.defined(w.value());
        return new SummaryRow(variant, SummaryRow.WEIGHTED_AVERAGE, SummaryRow.WEIGHTED_AVERAGE, null, items, samples,
                null, value, null, null, null, null, w.totalWeight(), baseline, baseAverage,
                value == null ? null : drop(baseAverage, value), null, null, null, null, null, null, null, w.used());
    }

    private static Map<String, Double> scores(Map<String, AccuracySummary> accuracy) {
        Map<String, Double> scores = new TreeMap<>();
        accuracy.forEach((b, a) -> scores.put(b, a.accuracy()));
        return scores;
    }

    private static Double drop(Double baseline, double variant) {
        return baseline == null || !(baseline > 0) ? null : PaperAggregate.relativeDrop(baseline, variant);
    }

    /** {@code correct[item][sample]} in item-id order. */
    private static AccuracySummary accuracy(List<ItemResult> items) {
        List<ItemResult> sorted = new ArrayList<>(items);
        sorted.sort(Comparator.comparing(ItemResult::itemId));
        boolean[][] correct = new boolean[sorted.size()][];
        for (int i = 0; i < correct.length; i++) {
            List<Boolean> c = sorted.get(i).correct();
            correct[i] = new boolean[c.size()];
            for (int j = 0; j < c.size(); j++) {
                correct[i][j] = Objects.requireNonNull(c.get(j), "verdict");
            }
        }
        return AccuracySummary.of(correct);
    }

    /** cons@k: the share of items whose majority answer is right, by the scoring's equivalence. */
    private static double consensus(List<ItemResult> items, BenchmarkSpec b) {
        int right = 0;
        for (ItemResult i : items) {
            right += MajorityVote.right(i.predicted(), i.correct(), b.scoring()::sameAnswer) ? 1 : 0;
        }
        return (double) right / items.size();
    }

    private static Map<String, Boolean> firstVerdicts(List<ItemResult> items) {
        Map<String, Boolean> m = new TreeMap<>();
        items.forEach(i -> m.put(i.itemId(), i.correct().get(0)));
        return m;
    }

    private static Map<String, String> firstAnswers(List<ItemResult> items) {
        Map<String, String> m = new TreeMap<>();
        items.forEach(i -> m.put(i.itemId(), i.predicted().get(0)));
        return m;
    }
}

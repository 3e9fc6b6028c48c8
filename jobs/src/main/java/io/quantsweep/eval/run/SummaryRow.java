package io.quantsweep.eval.run;

import java.util.List;
import java.util.Objects;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * One row of {@code OUT/summary/}: a variant on one benchmark ({@link #BENCHMARK}), or its weighted
 * average over the benchmarks present ({@link #WEIGHTED_AVERAGE}, benchmark {@code weighted-average}).
 * Values that do not apply, or are undefined (a standard deviation over one sample), are null.
 *
 * @param variant              the variant
 * @param benchmark            the benchmark, or {@code weighted-average}
 * @param kind                 {@link #BENCHMARK} or {@link #WEIGHTED_AVERAGE}
 * @param scoring              the scoring mode; null for the weighted average
 * @param items                items n (for the weighted average, the sum over the benchmarks used)
 * @param samples              samples over all items
 * @param samplesPerItem       k when every item has k samples, else 0; null for the weighted average
 * @param accuracy             mean per-item share of right samples (pass@1); the weighted average
 * @param stdOverSamples       sample standard deviation of the k run accuracies (k ≥ 2)
 * @param standardError        standard error of the accuracy over items (n ≥ 2)
 * @param passAtK              share of items with a right sample among their k (k ≥ 2)
 * @param consAtK              share of items whose majority answer over their k samples is right (k ≥ 2)
 * @param weight               the benchmark's weight; for the weighted average the total weight used
 * @param baseline             the sweep's baseline variant
 * @param baselineAccuracy     the baseline's accuracy (or weighted average over the same benchmarks)
 * @param relativeDrop         (baseline − variant) / baseline; negative when the variant is better
 * @param mcnemarPairs         items both have (McNemar on each item's first sample)
 * @param mcnemarBaselineOnly  items only the baseline got right
 * @param mcnemarVariantOnly   items only the variant got right
 * @param mcnemarPValue        exact two-sided p-value
 * @param agreementItems       items both have where at least one of the two extracted an answer
 * @param agreement            share of them where the variant's first-sample answer is the baseline's; null
 *                             for none
 * @param commonPrefixChars    generation at temperature 0: mean length in code points of the common
 *                             prefix of the variant's and the baseline's greedy outputs
 * @param benchmarks           the weighted average: the benchmarks it used; else the benchmark itself
 */
public record SummaryRow(String variant, String benchmark, String kind, String scoring, int items, long samples,
        Integer samplesPerItem, Double accuracy, Double stdOverSamples, Double standardError, Double passAtK,
        Double consAtK, double weight,
        String baseline, Double baselineAccuracy, Double relativeDrop, Integer mcnemarPairs,
        Integer mcnemarBaselineOnly, Integer mcnemarVariantOnly, Double mcnemarPValue, Integer agreementItems,
        Double agreement, Double commonPrefixChars, List<String> benchmarks) {
    /** Kind of a row for one benchmark. */
    public static final String BENCHMARK = "benchmark";
    /** Kind (and benchmark name) of a variant's weighted-average row. */
    public static final String WEIGHTED_AVERAGE = "weighted-average";

    /** The Parquet schema of {@code OUT/summary/}, in field order. */
    public static final StructType SCHEMA = new StructType(new StructField[] {
        DataTypes.createStructField("variant", DataTypes.StringType, false),
        DataTypes.createStructField("benchmark", DataTypes.StringType, false),
        DataTypes.createStructField("kind", DataTypes.StringType, false),
        DataTypes.createStructField("scoring", DataTypes.StringType, true),
        DataTypes.createStructField("items", DataTypes.IntegerType, false),
        DataTypes.createStructField("samples", DataTypes.LongType, false),
        DataTypes.createStructField("samples_per_item", DataTypes.IntegerType, true),
        DataTypes.createStructField("accuracy", DataTypes.DoubleType, true),
        DataTypes.createStructField("std_over_samples", DataTypes.DoubleType, true),
        DataTypes.createStructField("standard_error", DataTypes.DoubleType, true),
        DataTypes.createStructField("pass_at_k", DataTypes.DoubleType, true),
        DataTypes.createStructField("cons_at_k", DataTypes.DoubleType, true),
        DataTypes.createStructField("weight", DataTypes.DoubleType, false),
        DataTypes.createStructField("baseline", DataTypes.StringType, false),
        DataTypes.createStructField("baseline_accuracy", DataTypes.DoubleType, true),
        DataTypes.createStructField("relative_drop", DataTypes.DoubleType, true),
        DataTypes.createStructField("mcnemar_pairs", DataTypes.IntegerType, true),
        DataTypes.createStructField("mcnemar_baseline_only", DataTypes.IntegerType, true),
        DataTypes.createStructField("mcnemar_variant_only", DataTypes.IntegerType, true),
        DataTypes.createStructField("mcnemar_p_value", DataTypes.DoubleType, true),
        DataTypes.createStructField("agreement_items", DataTypes.IntegerType, true),
        DataTypes.createStructField("agreement", DataTypes.DoubleType, true),
        DataTypes.createStructField("common_prefix_chars", DataTypes.DoubleType, true),
        DataTypes.createStructField("benchmarks", DataTypes.createArrayType(DataTypes.StringType, false), false)});

    public SummaryRow {
        Objects.requireNonNull(variant, "variant");
        Objects.requireNonNull(benchmark, "benchmark");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(baseline, "baseline");
        benchmarks = List.copyOf(benchmarks);
    }

    /** A number, or null when it is NaN (undefined). */
    static Double defined(double x) {
        return Double.isNaN(x) ? null : x;
    }

    /** This row in {@link #SCHEMA}'s order. */
    Row toRow() {
        return RowFactory.create(variant, benchmark, kind, scoring, items, samples, samplesPerItem, accuracy,
                stdOverSamples, standardError, passAtK, consAtK, weight, baseline, baselineAccuracy, relativeDrop, mcnemarPairs,
                mcnemarBaselineOnly, mcnemarVariantOnly, mcnemarPValue, agreementItems, agreement, commonPrefixChars,
                benchmarks);
    }
}

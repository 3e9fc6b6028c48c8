package io.quantsweep.report;

import io.quantsweep.report.Columns.Summary;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A sweep's results ({@code eval/summary}): one score per variant and benchmark, the baseline, and
 * the benchmark weights when the sweep recorded them. The sweep's weighted-average rows are left out:
 * the report computes the aggregates itself, the same way for every source.
 */
public final class SweepSummary {

    /**
     * One variant on one benchmark.
     *
     * @param accuracy in [0, 1]
     * @param std the standard deviation over the k runs, NaN when not recorded
     * @param items items evaluated, -1 when not recorded
     * @param samplesPerItem samples per item k, -1 when not recorded
     * @param standardError of the accuracy over the items, NaN when not recorded
     * @param passAtK share of the items with a right sample among their k, NaN when not recorded
     * @param consAtK share of the items whose majority answer over their k is right, NaN when not recorded
     * @param pValue exact McNemar p-value against the baseline, NaN for the baseline or when not recorded
     */
    public record Score(String variant, String benchmark, double accuracy, double std, long items, long samplesPerItem,
            double standardError, double passAtK, double consAtK, double pValue) {
    }

    private final String baseline;
    private final List<Score> scores;
    private final Map<String, Double> weights;

    /**
     * @param weights benchmark → weight as the sweep recorded it; empty when it did not (the paper's
     *     weights apply)
     */
    SweepSummary(String baseline, List<Score> scores, Map<String, Double> weights) {
        this.baseline = baseline;
        this.scores = scores.stream().sorted(Comparator.comparing(Score::variant).thenComparing(Score::benchmark)).toList();
        this.weights = Map.copyOf(weights);
        if (!variants().contains(baseline)) {
            throw new ReportInputException(Columns.Folders.SUMMARY + ": the baseline '" + baseline + "' has no row; variants: " + variants());
        }
    }

    /**
     * Reads {@code eval/summary}, where {@code eval} is the sweep's output folder; empty when it has no rows,
     * as a sweep that scored no benchmark (kld alone) wrote it before it stopped writing one.
     */
    static Optional<SweepSummary> read(FileSystem fs, Path eval) throws IOException {
        String name = Columns.Folders.SUMMARY;
        Path path = new Path(eval, Columns.Folders.SUMMARY_IN_EVAL);
        ParquetTable table = ParquetTable.read(fs, path, name, Summary.VARIANT, Summary.BENCHMARK,
                Summary.BASELINE, Summary.ACCURACY);
        if (table.rows().isEmpty()) {
            return Optional.empty();
        }
        String baseline = null;
        List<Score> scores = new ArrayList<>();
        Map<String, Double> weights = new HashMap<>();
        Map<String, ParquetTable.Row> seen = new HashMap<>();
        for (ParquetTable.Row r : table.rows()) {
            if (r.has(Summary.KIND) && !r.string(Summary.KIND).equals(Summary.KIND_BENCHMARK)) {
                continue;
            }
            String where = name + " (" + r.file() + ") row " + r.index() + ": ";
            String b = r.string(Summary.BASELINE);
            if (baseline != null && !baseline.equals(b)) {
                throw new ReportInputException(where + "baseline '" + b + "', but earlier rows name '" + baseline + "'");
            }
            baseline = b;
            Score s = new Score(r.string(Summary.VARIANT), r.string(Summary.BENCHMARK), r.dbl(Summary.ACCURACY),
                    r.optionalDouble(Summary.STD_OVER_SAMPLES), optionalCount(r, Summary.ITEMS),
                    optionalCount(r, Summary.SAMPLES_PER_ITEM), r.optionalDouble(Summary.STANDARD_ERROR),
                    r.optionalDouble(Summary.PASS_AT_K), r.optionalDouble(Summary.CONS_AT_K),
                    r.optionalDouble(Summary.MCNEMAR_P));
            if (!(s.accuracy() >= 0 && s.accuracy() <= 1)) {
                throw new ReportInputException(where + "accuracy " + s.accuracy() + " of " + s.variant() + " on " + s.benchmark()
                        + " is not in [0, 1]");
            }
            ParquetTable.Row earlier = seen.put(s.variant() + "\u0000" + s.benchmark(), r);
            if (earlier != null) {
                throw new ReportInputException(where + s.variant() + " on " + s.benchmark() + " again (first at row " + earlier.index()
                        + " of " + earlier.file() + ")");
            }
            if (r.has(Summary.WEIGHT)) {
                double w = r.dbl(Summary.WEIGHT);
                Double before = weights.put(s.benchmark(), w);
                if (!(w >= 0) || before != null && before != w) {
                    throw new ReportInputException(where + "weight " + w + " of " + s.benchmark()
                            + (before == null ? " is negative" : " differs from " + before + " on an earlier row"));
                }
            }
            scores.add(s);
        }
        if (scores.isEmpty()) {
            throw new ReportInputException(name + " (" + path + "): no rows of kind '" + Summary.KIND_BENCHMARK + "'");
        }
        return Optional.of(new SweepSummary(baseline, scores, weights));
    }

    /** A count column's value, -1 where the table has no such column or the row no value. */
    private static long optionalCount(ParquetTable.Row r, String column) {
        return r.has(column) && r.record().get(column) != null ? r.longValue(column) : -1;
    }

    public String baseline() {
        return baseline;
    }

    /** The scores by variant and benchmark name: the figures do not depend on the row order. */
    public List<Score> scores() {
        return scores;
    }

    /** The variants, in name order. */
    public List<String> variants() {
        return scores.stream().map(Score::variant).distinct().toList();
    }

    /** The benchmarks, in name order. */
    public List<String> benchmarks() {
        return scores.stream().map(Score::benchmark).distinct().sorted().toList();
    }

    public Optional<Score> score(String variant, String benchmark) {
        return scores.stream().filter(s -> s.variant().equals(variant) && s.benchmark().equals(benchmark)).findFirst();
    }

    /** The sweep's weights by benchmark; empty when the summary has no weight column. */
    public Map<String, Double> weights() {
        return weights;
    }
}

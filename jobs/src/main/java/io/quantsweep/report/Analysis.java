package io.quantsweep.report;

import io.quantsweep.plan.DeploymentTargets;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * An output root read for analysis: the quantize job's statistics ({@code quant/}), the sweep's summary
 * when it scored a benchmark and its divergence table when it compared distributions ({@code eval/}),
 * and the deployment targets the sizes are checked against.
 *
 * <p>The two parts name variants independently ({@code DQ3_K_M} in a recipe, {@code dq3_k_m} in a
 * sweep file); they are matched on {@link #key}: lower case, letters and digits only.
 */
public record Analysis(Path root, Optional<QuantStats> quant, Optional<SweepSummary> eval, Optional<Divergence> kld,
        DeploymentTargets targets) {

    /**
     * One variant across both parts.
     *
     * @param name how the report names it: the quantize job's name when it has one
     * @param statsName its name in {@code quant/_stats}, if it was quantized there
     * @param evalName its name in {@code eval/summary}, if it was evaluated
     */
    public record Variant(String name, Optional<String> statsName, Optional<String> evalName) {
    }

    /**
     * Reads what {@code root} holds. A table's folder that is there is read, so one without part files
     * (a job that failed or is still writing) is refused rather than taken for a part that was not run.
     *
     * @throws ReportInputException when it holds none of {@code quant/_stats/tensors}, {@code eval/summary}
     *     with rows and {@code eval/kld}, or one of them cannot be read
     */
    public static Analysis read(FileSystem fs, Path root, DeploymentTargets targets) throws IOException {
        if (!fs.exists(root)) {
            throw new ReportInputException("no such output folder: " + root);
        }
        Optional<QuantStats> quant = fs.exists(new Path(root, Columns.Folders.TENSOR_STATS))
                ? Optional.of(QuantStats.read(fs, root)) : Optional.empty();
        boolean hasSummary = fs.exists(new Path(root, Columns.Folders.SUMMARY));
        Optional<SweepSummary> eval = hasSummary ? SweepSummary.read(fs, root) : Optional.empty();
        Optional<Divergence> kld = fs.exists(new Path(root, Columns.Folders.KLD))
                ? Optional.of(Divergence.read(fs, root)) : Optional.empty();
        if (quant.isEmpty() && eval.isEmpty() && kld.isEmpty()) {
            throw new ReportInputException(root + " is not an output root: it has neither " + Columns.Folders.TENSOR_STATS
                    + " (quantize) nor " + Columns.Folders.SUMMARY + " or " + Columns.Folders.KLD + " (sweep) as Parquet"
                    + (hasSummary ? "; " + Columns.Folders.SUMMARY + " has no rows" : ""));
        }
        return new Analysis(root, quant, eval, kld, targets);
    }

    /** The name a variant is matched on. */
    public static String key(String variant) {
        return variant.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }

    /**
     * Every variant of both parts: the baseline first, then by tensor bytes, largest first, then the
     * ones without statistics by name.
     *
     * @throws ReportInputException when two names of one part share a key
     */
    public List<Variant> variants() {
        Map<String, String> stats = byKey(quant.map(QuantStats::variants).orElse(List.of()), Columns.Folders.TENSOR_STATS);
        Map<String, String> evals = byKey(eval.map(SweepSummary::variants).orElse(List.of()), Columns.Folders.SUMMARY);
        Map<String, Variant> all = new LinkedHashMap<>();
        stats.forEach((k, n) -> all.put(k, new Variant(n, Optional.of(n), Optional.ofNullable(evals.get(k)))));
        evals.forEach((k, n) -> all.putIfAbsent(k, new Variant(n, Optional.empty(), Optional.of(n))));
        String baseline = eval.map(e -> key(e.baseline())).orElse("");
        List<Variant> out = new ArrayList<>(all.values());
        out.sort(Comparator.comparing((Variant v) -> !key(v.name()).equals(baseline))
                .thenComparing(v -> -v.statsName().map(s -> quant.orElseThrow().bytes(s)).orElse(-1L))
                .thenComparing(Variant::name));
        return out;
    }

    private static Map<String, String> byKey(List<String> names, String table) {
        Map<String, String> out = new HashMap<>();
        for (String n : names) {
            String before = out.put(key(n), n);
            if (before != null) {
                throw new ReportInputException(table + ": variants '" + before + "' and '" + n + "' cannot be told apart");
            }
        }
        return out;
    }
}

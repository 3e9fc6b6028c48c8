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
import java.util.stream.Stream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * An output root read for analysis: the quantize job's statistics ({@code quant/}), the sweep's summary
 * when it scored a benchmark and its divergence table when it compared distributions ({@code eval/}),
 * and the deployment targets the sizes are checked against. The two parts may also come from the
 * quantize job's and the sweep's own output folders, wherever they are.
 *
 * <p>The two parts name variants independently ({@code DQ3_K_M} in a recipe, {@code dq3_k_m} in a
 * sweep file); they are matched on {@link #key}: lower case, letters and digits only.
 *
 * @param folders where it was read from, for the page: the output root, or the jobs' output folders
 */
public record Analysis(List<String> folders, Optional<QuantStats> quant, Optional<SweepSummary> eval, Optional<Divergence> kld,
        DeploymentTargets targets) {

    public Analysis {
        folders = List.copyOf(folders);
    }

    /**
     * One variant across both parts.
     *
     * @param name how the report names it: the quantize job's name when it has one
     * @param statsName its name in {@code quant/_stats}, if it was quantized there
     * @param evalName its name in {@code eval/summary}, if it was evaluated
     */
    public record Variant(String name, Optional<String> statsName, Optional<String> evalName) {
    }

    /** A folder on its file system. */
    public record Folder(FileSystem fs, Path path) {
        @Override
        public String toString() {
            return path.toString();
        }
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
        Optional<QuantStats> quant = quantStats(new Folder(fs, new Path(root, Columns.Folders.QUANT)));
        Folder eval = new Folder(fs, new Path(root, Columns.Folders.EVAL));
        boolean hasSummary = fs.exists(new Path(eval.path(), Columns.Folders.SUMMARY_IN_EVAL));
        Optional<SweepSummary> summary = summary(eval);
        Optional<Divergence> kld = divergence(eval);
        if (quant.isEmpty() && summary.isEmpty() && kld.isEmpty()) {
            throw new ReportInputException(root + " is not an output root: it has neither " + Columns.Folders.TENSOR_STATS
                    + " (quantize) nor " + Columns.Folders.SUMMARY + " or " + Columns.Folders.KLD + " (sweep) as Parquet"
                    + (hasSummary ? "; " + Columns.Folders.SUMMARY + " has no rows" : ""));
        }
        return new Analysis(List.of(root.toString()), quant, summary, kld, targets);
    }

    /**
     * Reads a quantize job's output folder ({@code --out} of quantize) and a sweep's ({@code --out} of
     * eval), at least one of them; each that is given must hold its tables.
     *
     * @throws ReportInputException when a folder given does not, or one of its tables cannot be read
     */
    public static Analysis read(Optional<Folder> quant, Optional<Folder> eval, DeploymentTargets targets)
            throws IOException {
        if (quant.isEmpty() && eval.isEmpty()) {
            throw new IllegalArgumentException("neither a quantize nor a sweep output folder");
        }
        Optional<QuantStats> stats = Optional.empty();
        if (quant.isPresent()) {
            stats = quantStats(requireFolder(quant.get(), "quantize"));
            if (stats.isEmpty()) {
                throw new ReportInputException(quant.get() + " is not a quantize job's output: it has no "
                        + Columns.Folders.STATS_IN_QUANT + " as Parquet");
            }
        }
        Optional<SweepSummary> summary = Optional.empty();
        Optional<Divergence> kld = Optional.empty();
        if (eval.isPresent()) {
            summary = summary(requireFolder(eval.get(), "sweep"));
            kld = divergence(eval.get());
            if (summary.isEmpty() && kld.isEmpty()) {
                throw new ReportInputException(eval.get() + " is not a sweep's output: it has neither "
                        + Columns.Folders.SUMMARY_IN_EVAL + " with rows nor " + Columns.Folders.KLD_IN_EVAL + " as Parquet");
            }
        }
        return new Analysis(Stream.of(quant, eval).flatMap(Optional::stream).map(Folder::toString).toList(), stats,
                summary, kld, targets);
    }

    private static Folder requireFolder(Folder f, String job) throws IOException {
        if (!f.fs().exists(f.path())) {
            throw new ReportInputException("no such " + job + " output folder: " + f);
        }
        return f;
    }

    private static Optional<QuantStats> quantStats(Folder quant) throws IOException {
        return quant.fs().exists(new Path(quant.path(), Columns.Folders.STATS_IN_QUANT))
                ? Optional.of(QuantStats.read(quant.fs(), quant.path())) : Optional.empty();
    }

    private static Optional<SweepSummary> summary(Folder eval) throws IOException {
        return eval.fs().exists(new Path(eval.path(), Columns.Folders.SUMMARY_IN_EVAL))
                ? SweepSummary.read(eval.fs(), eval.path()) : Optional.empty();
    }

    private static Optional<Divergence> divergence(Folder eval) throws IOException {
        return eval.fs().exists(new Path(eval.path(), Columns.Folders.KLD_IN_EVAL))
                ? Optional.of(Divergence.read(eval.fs(), eval.path())) : Optional.empty();
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

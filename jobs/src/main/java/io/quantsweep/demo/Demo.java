package io.quantsweep.demo;

import io.quantsweep.arch.deepseek.DeepseekV3Generator;
import io.quantsweep.arch.deepseek.DeepseekV3Preset;
import io.quantsweep.eval.run.EvalJob;
import io.quantsweep.eval.run.SummaryRow;
import io.quantsweep.eval.run.SweepPlan;
import io.quantsweep.eval.sweep.SweepFile;
import io.quantsweep.io.AtomicOutput;
import io.quantsweep.plan.DeploymentTargets;
import io.quantsweep.quantize.QuantizeJob;
import io.quantsweep.quantize.QuantizeOptions;
import io.quantsweep.quantize.RunConflictException;
import io.quantsweep.report.Analysis;
import io.quantsweep.report.HtmlReport;
import io.quantsweep.report.QuantStats;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * The whole product on the generated tiny DeepSeek-V3-shaped model, in one Spark session: generate the
 * checkpoint, quantize it in one pass into {@link #VARIANTS}, evaluate every variant in-process on the
 * bundled sets ({@code conf/benchmarks}), write the report, and return the summary rows.
 *
 * <p>Layout of {@code out}: {@code tiny/} (the checkpoint), {@code quant/} (the quantize job's output),
 * {@code eval-input/} (the sweep file and the benchmark sets it names), {@code eval/} (the sweep's
 * output), {@code report.html}, {@code demo-seed} (the model's seed). Every step resumes: a rerun with the
 * same seed reuses what an earlier run completed.
 */
public final class Demo {
    /** The first, BF16, is the baseline: the FP8 weights unquantized, as llama.cpp's converter writes them. */
    public static final List<String> VARIANTS = List.of("BF16", "Q8_0", "Q4_K_M", "Q3_K_M", "DQ3_K_M", "Q2_K");
    private static final List<String> BENCHMARK_FILES = List.of("tiny-mc/test.jsonl", "tiny-free/test.jsonl",
            "tiny-prose/test.txt");
    /** The file of the output folder that records the seed its model was generated with. */
    static final String SEED_FILE = "demo-seed";

    /**
     * One variant's line of the summary.
     *
     * @param meanRelativeRmse the element-weighted mean, over tensors, of each tensor's relative RMSE
     * @param accuracy the sweep's weighted average over the benchmarks
     * @param agreement the share of items where the variant gives the baseline's answer
     * @param meanKl the mean KL divergence of the variant's next-token distributions from the baseline's, on tiny-prose
     */
    public record Row(String variant, long tensorBytes, double bitsPerWeight, double meanRelativeRmse,
            Optional<Double> accuracy, Optional<Double> agreement, Optional<Double> meanKl) {
    }

    /** What a demo run wrote. */
    public record Result(java.nio.file.Path root, java.nio.file.Path report, List<Row> rows) {
    }

    private Demo() {
    }

    /**
     * Runs the demo into {@code out}, or resumes the one there.
     *
     * @throws RunConflictException when {@code out} holds the demo of another seed, whose model a resumed run
     *     would quantize and evaluate as if it were this seed's
     */
    public static Result run(SparkSession spark, java.nio.file.Path out, long seed, PrintWriter log) throws IOException {
        java.nio.file.Path root = out.toAbsolutePath();
        Files.createDirectories(root);
        FileSystem fs = AtomicOutput.localFileSystem();
        Path model = new Path(root.resolve("tiny").toUri());
        java.nio.file.Path seedFile = root.resolve(SEED_FILE);
        if (!fs.exists(new Path(model, "model.safetensors.index.json"))) {
            byte[] recorded = Long.toString(seed).getBytes(StandardCharsets.UTF_8);
            AtomicOutput.write(seedFile, s -> s.write(recorded));
            List<String> files = DeepseekV3Generator.generate(fs, model, DeepseekV3Preset.TINY, seed, Optional.empty());
            log.printf("demo: generated the tiny DeepSeek-V3-shaped checkpoint (%d files) in %s%n", files.size(), model);
        } else {
            String recorded = Files.exists(seedFile) ? Files.readString(seedFile, StandardCharsets.UTF_8).strip() : null;
            if (recorded == null) {
                throw new RunConflictException(RunConflictException.Reason.DIFFERENT_RUN, ("%s holds a demo whose seed "
                        + "was not recorded (no %s: an earlier version made it); delete it or choose another --out")
                        .formatted(root, SEED_FILE));
            }
            if (!Long.toString(seed).equals(recorded)) {
                throw new RunConflictException(RunConflictException.Reason.DIFFERENT_RUN, ("%s holds the demo of seed %s, "
                        + "not seed %d; rerun with --seed %s to resume it, or choose another --out").formatted(root, recorded,
                        seed, recorded));
            }
        }

        QuantizeJob.Summary quantized = QuantizeJob.run(spark,
                QuantizeOptions.of(model.toString(), VARIANTS, root.resolve("quant").toUri().toString()), log);

        java.nio.file.Path sweep = writeSweep(root.resolve("eval-input"), quantized.files());
        SweepPlan plan = SweepPlan.of(SweepFile.read(sweep), new Path(sweep.getParent().toUri()),
                spark.sparkContext().hadoopConfiguration());
        EvalJob.Result evaluated = EvalJob.run(spark, plan, root.resolve("eval").toUri().toString());

        Analysis analysis = Analysis.read(fs, new Path(root.toUri()), DeploymentTargets.builtIn());
        java.nio.file.Path report = root.resolve("report.html");
        byte[] page = HtmlReport.render(analysis).getBytes(StandardCharsets.UTF_8);
        AtomicOutput.write(report, s -> s.write(page));
        return new Result(root, report, rows(analysis, evaluated.summary(), evaluated.kld()));
    }

    /**
     * The sweep file of the demo, with the bundled sets copied beside it from the classpath. Its
     * variants are named after the quantize job's variant folders ({@code pure_BF16} for BF16), the
     * first one the baseline.
     */
    static java.nio.file.Path writeSweep(java.nio.file.Path dir, List<Path> gguf) throws IOException {
        for (String file : BENCHMARK_FILES) {
            java.nio.file.Path target = dir.resolve("benchmarks").resolve(file);
            Files.createDirectories(target.getParent());
            try (InputStream in = Demo.class.getResourceAsStream("benchmarks/" + file)) {
                if (in == null) {
                    throw new IllegalStateException("bundled benchmark set missing from the jar: " + file);
                }
                Files.write(target, in.readAllBytes());
            }
        }
        StringBuilder yaml = new StringBuilder("""
                # written by 'quantsweep demo': the tiny model's variants, evaluated in-process
                name: demo
                baseline: %s
                variants:
                """.formatted(gguf.get(0).getParent().getName()));
        for (Path file : gguf) {
            yaml.append("  - name: ").append(file.getParent().getName()).append('\n')
                    .append("    gguf: '").append(java.nio.file.Path.of(file.toUri())).append("'\n")
                    .append("    context-size: 1024\n");
        }
        yaml.append("""
                benchmarks:
                  - name: tiny-mc
                    loader: jsonl-choice
                    path: benchmarks/tiny-mc
                    template: mmlu-lm-eval
                    scoring: mc-grammar
                    weight: 1
                  - name: tiny-free
                    loader: jsonl-free
                    path: benchmarks/tiny-free
                    template: gsm8k-lm-eval
                    scoring: numeric
                    max-tokens: 12
                    stop: ["\\n"]
                    weight: 1
                  - name: tiny-prose
                    loader: text
                    path: benchmarks/tiny-prose
                    scoring: kld
                    top-k: 40
                    positions: 8
                    seed: 7
                execution:
                  batch-size: 8
                """);
        java.nio.file.Path sweep = dir.resolve("sweep.yaml");
        AtomicOutput.write(sweep, s -> s.write(yaml.toString().getBytes(StandardCharsets.UTF_8)));
        return sweep;
    }

    /** One row per variant of the analysis (the quantize job's and the sweep's names matched). */
    static List<Row> rows(Analysis analysis, List<SummaryRow> summary, List<org.apache.spark.sql.Row> kld) {
        QuantStats stats = analysis.quant().orElseThrow();
        List<Row> rows = new ArrayList<>();
        for (Analysis.Variant v : analysis.variants()) {
            String statsName = v.statsName().orElseThrow();
            double weightedError = 0;
            long elements = 0;
            for (QuantStats.Tensor t : stats.tensors(statsName)) {
                weightedError += t.relativeRmse() * t.elements();
                elements += t.elements();
            }
            String evalName = v.evalName().orElse("");
            Optional<Double> accuracy = summary.stream()
                    .filter(r -> r.variant().equals(evalName) && r.kind().equals(SummaryRow.WEIGHTED_AVERAGE))
                    .map(SummaryRow::accuracy).filter(a -> a != null).findFirst();
            long items = 0;
            double agreed = 0;
            for (SummaryRow r : summary) {
                if (r.variant().equals(evalName) && r.kind().equals(SummaryRow.BENCHMARK) && r.agreement() != null) {
                    items += r.agreementItems();
                    agreed += r.agreement() * r.agreementItems();
                }
            }
            Optional<Double> meanKl = kld.stream().filter(r -> r.<String>getAs("variant").equals(evalName))
                    .map(r -> r.<Double>getAs("mean_kl")).filter(kl -> kl != null).findFirst();
            rows.add(new Row(v.name(), stats.bytes(statsName), stats.bitsPerWeight(statsName),
                    elements == 0 ? 0 : weightedError / elements, accuracy,
                    items == 0 ? Optional.empty() : Optional.of(agreed / items), meanKl));
        }
        return rows;
    }

    private static String percent(Optional<Double> share) {
        return share.map(x -> String.format(Locale.ROOT, "%.1f%%", 100 * x)).orElse("-");
    }

    /** The summary as a fixed-width table. */
    public static void print(Result result, PrintWriter w) {
        w.printf("%n%-9s %12s %6s %14s %9s %10s %9s%n", "variant", "tensor bytes", "bpw", "rel. RMSE", "accuracy", "agreement",
                "mean KL");
        for (Row r : result.rows()) {
            w.printf(Locale.ROOT, "%-9s %,12d %6.2f %14.5f %9s %10s %9s%n", r.variant(), r.tensorBytes(), r.bitsPerWeight(),
                    r.meanRelativeRmse(), percent(r.accuracy()), percent(r.agreement()),
                    r.meanKl().map(kl -> String.format(Locale.ROOT, "%.5f", kl)).orElse("-"));
        }
        w.printf("%nrel. RMSE: element-weighted mean over tensors of ‖dequantized − source‖/‖source‖; accuracy: weighted"
                + " average over tiny-mc and tiny-free;%nagreement: share of items where the variant answers as the BF16"
                + " baseline does; mean KL: of the variant's next-token distribution%nfrom the baseline's, at 8 places in each"
                + " tiny-prose passage (top 40 tokens). The tiny model's weights are random: its answers are noise, the pipeline is the"
                + " point;%nits next-token distributions still show how far each variant strays.%n");
        w.printf("%nreport:    %s%nquantized: %s%nevaluated: %s%nnotebook:  scripts/check-notebook %s, or open notebooks/analysis.ipynb"
                        + " in Jupyter with QUANTSWEEP_OUT=%<s%n",
                result.report(), result.root().resolve("quant"), result.root().resolve("eval"), result.root());
        w.flush();
    }
}

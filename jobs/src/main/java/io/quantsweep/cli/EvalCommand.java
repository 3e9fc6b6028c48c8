package io.quantsweep.cli;

import io.quantsweep.eval.run.EvalJob;
import io.quantsweep.eval.run.SummaryRow;
import io.quantsweep.eval.run.SweepPlan;
import io.quantsweep.eval.run.VariantOutcome;
import io.quantsweep.eval.sweep.SweepFile;
import io.quantsweep.eval.sweep.SweepSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Row;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code eval --sweep FILE --out URI [--master URL] [--base DIR]}: runs (or resumes) an evaluation sweep
 * ({@link EvalJob}) and prints what each variant did and the summary.
 */
@Command(name = "eval", mixinStandardHelpOptions = true,
        description = {"Evaluate every variant of a sweep file on its benchmarks; write samples, summary and kld as Parquet.",
            "Rerunning with the same --out resumes: samples already written are not asked again."})
public final class EvalCommand implements Callable<Integer> {

    @Option(names = "--sweep", required = true, paramLabel = "FILE", description = "sweep file (conf/sweeps/NAME.yaml)")
    java.nio.file.Path sweep;

    @Option(names = "--out", required = true, paramLabel = "URI",
            description = "output folder on any Hadoop file system (local path, hdfs://, s3a://)")
    String out;

    @Option(names = "--master", paramLabel = "URL",
            description = "Spark master (default: the spark.master setting, else local[*])")
    String master;

    @Option(names = "--base", paramLabel = "DIR",
            description = "folder that relative benchmark and gguf paths start from (default: the sweep file's folder)")
    String base;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        SweepSpec sweepSpec = SweepFile.read(InputFiles.regular(sweep));
        Path from = base != null ? new Path(base) : folderOf(sweep);
        try (LocalSession session = LocalSession.open("quantsweep eval " + sweepSpec.name(), master)) {
            // the session's Hadoop settings (spark.hadoop.*) may be what reaches the output's file system
            Configuration conf = session.spark().sparkContext().hadoopConfiguration();
            Path root = new Path(out);
            HadoopFiles.requireFolder("--out", root.getFileSystem(conf), root);
            SweepPlan plan = SweepPlan.of(sweepSpec, from, conf);
            print(EvalJob.run(session.spark(), plan, out));
        }
        return 0;
    }

    /**
     * The sweep file's folder on the local disk, as a {@code file:} URI: a path without a scheme would be
     * taken as one of the cluster's default file system (HDFS under YARN).
     */
    static Path folderOf(java.nio.file.Path sweep) {
        return new Path(sweep.toAbsolutePath().getParent().toUri());
    }

    private void print(EvalJob.Result result) {
        PrintWriter w = spec.commandLine().getOut();
        for (VariantOutcome o : result.variants()) {
            w.printf("variant %s: %d samples, %d from earlier runs, %d written in %d files%n", o.variant(), o.planned(),
                    o.resumed(), o.written(), o.files());
        }
        if (!result.summary().isEmpty()) {
            w.printf("%-16s %-18s %8s %6s %8s %8s %8s %8s %8s %8s%n", "variant", "benchmark", "accuracy", "items", "stderr",
                    "pass@k", "cons@k", "drop", "p", "agree");
        }
        for (SummaryRow r : result.summary()) {
            w.printf("%-16s %-18s %8s %6d %8s %8s %8s %8s %8s %8s%n", r.variant(), r.benchmark(), number(r.accuracy()),
                    r.items(), number(r.standardError()), number(r.passAtK()), number(r.consAtK()),
                    number(r.relativeDrop()), number(r.mcnemarPValue()), number(r.agreement()));
        }
        for (Row k : result.kld()) {
            w.printf("kld %s on %s: mean KL %s nats over %d positions, top-1 agreement %s%n", k.getString(0),
                    k.getString(1), number(k.isNullAt(5) ? null : k.getDouble(5)), k.getLong(4),
                    number(k.isNullAt(6) ? null : k.getDouble(6)));
        }
        w.printf("wrote %s/{samples%s%s}%n", out, result.summary().isEmpty() ? "" : ",summary",
                result.kld().isEmpty() ? "" : ",kld,kld-positions");
        w.flush();
    }

    private static String number(Double x) {
        return x == null ? "-" : String.format(Locale.ROOT, "%.4f", x);
    }
}

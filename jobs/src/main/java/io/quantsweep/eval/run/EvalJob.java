package io.quantsweep.eval.run;

import static org.apache.spark.sql.functions.avg;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sort_array;
import static org.apache.spark.sql.functions.struct;

import io.quantsweep.eval.backend.Capability;
import io.quantsweep.eval.metrics.Agreement;
import io.quantsweep.eval.metrics.TopKDivergence;
import io.quantsweep.eval.score.ScoringMode;
import io.quantsweep.eval.sweep.BenchmarkSpec;
import io.quantsweep.io.HadoopFileSystems;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The evaluation sweep job: every (variant × benchmark × item × sample) of a {@link SweepPlan},
 * asked, scored and written as it completes, then summarised.
 *
 * <p>Call sequence: {@link SweepPlan#requireCapabilities} refuses a sweep a backend cannot run, and in
 * local mode {@link SweepPlan#preflight} one whose model files a backend refuses →
 * one Spark task per variant ({@link VariantRun}: it resumes from the samples already in
 * {@code OUT/samples/}, keeps its backends' concurrency limits and writes batches as they finish) →
 * the driver reads {@code OUT/samples/} back, keeps the samples the plan asks for, and writes
 * {@code OUT/summary/} ({@link Summary}; none when no benchmark is scored, as for kld benchmarks alone)
 * and, for kld benchmarks, {@code OUT/kld-positions/} and {@code OUT/kld/}. Both are rewritten from all
 * samples on every run, so a resumed sweep gives the same summary as one that ran through. A variant
 * that fails (a backend that cannot be opened, a sample that fails after the backend's retries) keeps
 * what it wrote and lets the other variants run to their end; the run then throws, writing no summary,
 * and running it again resumes.
 *
 * <p>One task per variant means an in-process model is loaded by one executor, and the limits of a
 * variant's endpoints hold for the whole cluster. For in-process variants, give each executor as many
 * cores per task as llama.cpp threads ({@code spark.task.cpus}), so two models do not share a machine's
 * cores. Speculative execution is refused: two attempts of one variant would write its samples twice.
 */
public final class EvalJob {
    private static final Logger LOG = LoggerFactory.getLogger(EvalJob.class);

    /** Sub-folders of the output. */
    public static final String SAMPLES = "samples";
    public static final String SUMMARY = "summary";
    public static final String KLD = "kld";
    public static final String KLD_POSITIONS = "kld-positions";

    /** {@code OUT/kld-positions/}: one row per variant and compared position. */
    public static final StructType KLD_POSITIONS_SCHEMA = new StructType(new StructField[] {
        DataTypes.createStructField("variant", DataTypes.StringType, false),
        DataTypes.createStructField("benchmark", DataTypes.StringType, false),
        DataTypes.createStructField("item_id", DataTypes.StringType, false),
        DataTypes.createStructField("sample", DataTypes.IntegerType, false),
        DataTypes.createStructField("position", DataTypes.IntegerType, true),
        DataTypes.createStructField("kl", DataTypes.DoubleType, false),
        DataTypes.createStructField("top1_agrees", DataTypes.BooleanType, false),
        DataTypes.createStructField("base_token_logprob_delta", DataTypes.DoubleType, false),
        DataTypes.createStructField("base_token_estimated", DataTypes.BooleanType, false)});

    /** {@code OUT/kld/}: per variant and kld benchmark, the means over its positions. */
    public static final StructType KLD_SCHEMA = new StructType(new StructField[] {
        DataTypes.createStructField("variant", DataTypes.StringType, false),
        DataTypes.createStructField("benchmark", DataTypes.StringType, false),
        DataTypes.createStructField("baseline", DataTypes.StringType, false),
        DataTypes.createStructField("top_k", DataTypes.IntegerType, false),
        DataTypes.createStructField("positions", DataTypes.LongType, false),
        DataTypes.createStructField("mean_kl", DataTypes.DoubleType, true),
        DataTypes.createStructField("top1_agreement", DataTypes.DoubleType, true),
        DataTypes.createStructField("mean_base_token_logprob_delta", DataTypes.DoubleType, true),
        DataTypes.createStructField("base_token_estimated_share", DataTypes.DoubleType, true)});

    private static final UserDefinedFunction COMMON_PREFIX = functions.udf(
            (UDF2<String, String, Integer>) Agreement::commonPrefixChars, DataTypes.IntegerType);

    /**
     * What a run did and found.
     *
     * @param variants what each variant's task did
     * @param summary  the rows written to {@code OUT/summary/}; empty, and no folder, when no benchmark is scored
     * @param kld      the rows written to {@code OUT/kld/} ({@link #KLD_SCHEMA})
     */
    public record Result(List<VariantOutcome> variants, List<SummaryRow> summary, List<Row> kld) {
        public Result {
            variants = List.copyOf(variants);
            summary = List.copyOf(summary);
            kld = List.copyOf(kld);
        }
    }

    private EvalJob() {
    }

    /** Runs (or resumes) the sweep into {@code out}, a folder on any Hadoop file system. */
    public static Result run(SparkSession spark, SweepPlan plan, String out) throws IOException {
        plan.requireCapabilities();
        if (spark.sparkContext().conf().getBoolean("spark.speculation", false)) {
            throw new SweepRefusedException("sweep " + plan.sweep().name() + ": spark.speculation is on; two attempts "
                    + "of one variant would write its samples twice. Run sweeps with spark.speculation=false");
        }
        if (spark.sparkContext().isLocal()) {
            plan.preflight();
        }
        Configuration conf = spark.sparkContext().hadoopConfiguration();
        Path root = new Path(out);
        Path samples = new Path(root, SAMPLES);
        FileSystem fs = HadoopFileSystems.of(root, conf);
        requireSweepFolder(fs, root, plan);
        fs.mkdirs(samples);
        Map<String, Long> before = sampleFiles(fs, samples);
        List<VariantOutcome> outcomes;
        try {
            outcomes = evaluate(spark, plan, samples, conf);
        } catch (RuntimeException | IOException e) {
            // the tables are computed from all samples at the end: a run that wrote samples and failed before
            // then must not leave an earlier run's beside samples they no longer describe, for a report to
            // show as current; one refused before it wrote (other settings, another model) leaves them be
            if (!sampleFiles(fs, samples).equals(before)) {
                deleteTables(fs, root, List.of(SUMMARY, KLD, KLD_POSITIONS));
            }
            throw e;
        }

        Dataset<Row> planned = planned(spark, plan, spark.read().schema(SampleFiles.SPARK_SCHEMA)
                .option("basePath", samples.toString()).parquet(samples.toString()));
        List<SummaryRow> summary = summary(plan, planned);
        if (summary.isEmpty()) {
            // kld alone: no summary rather than one without rows, which readers would take for a sweep's scores;
            // and an earlier run's must not outlive the plan it summarised
            deleteTables(fs, root, List.of(SUMMARY));
        } else {
            spark.createDataFrame(summary.stream().map(SummaryRow::toRow).toList(), SummaryRow.SCHEMA).coalesce(1)
                    .write().mode(SaveMode.Overwrite).parquet(new Path(root, SUMMARY).toString());
        }
        List<Row> kld = List.of();
        if (plan.benchmarks().stream().anyMatch(b -> b.spec().scoring() == ScoringMode.KLD)) {
            kld = kld(spark, plan, planned, root);
        } else {
            deleteTables(fs, root, List.of(KLD, KLD_POSITIONS));
        }
        return new Result(outcomes, summary, kld);
    }

    /**
     * One task per variant. A variant that fails does not fail its task: the task returns the failure,
     * so the other variants run to their end and no task is left writing when this returns. Then the
     * first refusal, else the first failure, is thrown, the others added to it as suppressed.
     */
    private static List<VariantOutcome> evaluate(SparkSession spark, SweepPlan plan, Path samples, Configuration conf)
            throws IOException {
        Map<String, String> hadoop = new HashMap<>();
        conf.forEach(e -> hadoop.put(e.getKey(), e.getValue()));
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<SweepPlan> shipped = jsc.broadcast(plan);
        List<String> names = plan.variants().stream().map(VariantPlan::name).toList();
        spark.sparkContext().setJobDescription("sweep " + plan.sweep().name() + ": " + names.size() + " variants");
        List<TaskResult> results;
        try {
            results = jsc.parallelize(names, names.size())
                    .mapPartitions(new RunVariants(shipped, samples.toString(), hadoop)).collect();
        } catch (Exception e) { // Spark throws its checked SparkException without declaring it
            throw new SweepFailedException("sweep " + plan.sweep().name() + " failed: " + e.getMessage(), e);
        } finally {
            spark.sparkContext().setJobDescription(null);
            shipped.destroy();
        }
        List<VariantOutcome> outcomes = new ArrayList<>();
        List<Exception> failures = new ArrayList<>();
        for (TaskResult r : results) {
            if (r.failure() == null) {
                LOG.info("sweep {}: {}", plan.sweep().name(), r.outcome());
                outcomes.add(r.outcome());
            } else {
                failures.add(r.failure());
            }
        }
        if (failures.isEmpty()) {
            return outcomes;
        }
        Exception first = failures.stream().filter(f -> f instanceof SweepRefusedException).findFirst()
                .orElse(failures.get(0));
        failures.stream().filter(f -> f != first).forEach(first::addSuppressed);
        if (first instanceof SweepRefusedException refused) {
            throw refused;
        }
        throw first instanceof SweepFailedException failed ? failed
                : new SweepFailedException("sweep " + plan.sweep().name() + " failed: " + first.getMessage(), first);
    }

    /** Every file under the samples folder, by path, with its length: what a run changed. */
    private static Map<String, Long> sampleFiles(FileSystem fs, Path samples) throws IOException {
        Map<String, Long> files = new HashMap<>();
        RemoteIterator<LocatedFileStatus> all = fs.listFiles(samples, true);
        while (all.hasNext()) {
            LocatedFileStatus f = all.next();
            files.put(f.getPath().toString(), f.getLen());
        }
        return files;
    }

    private static void deleteTables(FileSystem fs, Path root, List<String> tables) throws IOException {
        for (String table : tables) {
            fs.delete(new Path(root, table), true);
        }
    }

    /** A variant's outcome, or why it failed: exactly one of the two is null. */
    private record TaskResult(VariantOutcome outcome, Exception failure) implements Serializable {
    }

    /**
     * Refuses a folder that holds files and no sweep's output, such as a model checkpoint: the sweep would
     * write its folders among them. An empty or new folder, or one of an earlier sweep, is taken.
     */
    private static void requireSweepFolder(FileSystem fs, Path root, SweepPlan plan) throws IOException {
        FileStatus[] entries;
        try {
            entries = fs.listStatus(root);
        } catch (FileNotFoundException e) {
            return;
        }
        Set<String> ours = Set.of(SAMPLES, SUMMARY, KLD, KLD_POSITIONS);
        // hidden names (.DS_Store, .ipynb_checkpoints, _SUCCESS) do not make a folder another's
        List<String> names = Arrays.stream(entries).map(f -> f.getPath().getName())
                .filter(n -> !n.startsWith(".") && !n.startsWith("_")).toList();
        if (!names.isEmpty() && names.stream().noneMatch(ours::contains)) {
            throw new SweepRefusedException("sweep %s: %s holds other files (%s) and no sweep output; choose an empty or new folder"
                    .formatted(plan.sweep().name(), root, names.get(0)));
        }
    }

    /** The task body: runs the variants of its partition (one, as the job partitions them). */
    private record RunVariants(Broadcast<SweepPlan> plan, String samples, Map<String, String> hadoop)
            implements FlatMapFunction<Iterator<String>, TaskResult> {
        @Override
        public Iterator<TaskResult> call(Iterator<String> variants) {
            List<TaskResult> out = new ArrayList<>();
            while (variants.hasNext()) {
                String variant = variants.next();
                try {
                    out.add(new TaskResult(VariantRun.run(plan.value(), variant, samples, hadoop), null));
                } catch (SweepRefusedException e) {
                    // the sweep's input, said in one line by the command; a stack trace would bury it
                    LOG.error("sweep {}: variant {} refused: {}", plan.value().sweep().name(), variant, e.getMessage());
                    out.add(new TaskResult(null, e));
                } catch (IOException | RuntimeException e) {
                    LOG.error("sweep {}: variant {} failed", plan.value().sweep().name(), variant, e);
                    out.add(new TaskResult(null, e));
                }
            }
            return out.iterator();
        }
    }

    /**
     * The samples the plan asks for: its variants, its items, sample indexes below each item's count
     * (samples left from runs with other limits or variants stay on disk but do not count).
     */
    private static Dataset<Row> planned(SparkSession spark, SweepPlan plan, Dataset<Row> samples) {
        List<Row> items = new ArrayList<>();
        for (BenchmarkPlan b : plan.benchmarks()) {
            b.items().forEach(w -> items.add(RowFactory.create(b.spec().name(), w.item().id(), b.samples(w))));
        }
        Dataset<Row> wanted = spark.createDataFrame(items, new StructType(new StructField[] {
            DataTypes.createStructField("benchmark", DataTypes.StringType, false),
            DataTypes.createStructField("item_id", DataTypes.StringType, false),
            DataTypes.createStructField("planned_samples", DataTypes.IntegerType, false)}));
        Object[] variants = plan.variants().stream().map(VariantPlan::name).toArray();
        return samples.filter(col("variant").isin(variants))
                .join(functions.broadcast(wanted), new String[] {"benchmark", "item_id"})
                .filter(col("sample").lt(col("planned_samples")))
                .drop("planned_samples");
    }

    private static List<SummaryRow> summary(SweepPlan plan, Dataset<Row> planned) {
        List<BenchmarkSpec> scored = plan.benchmarks().stream().map(BenchmarkPlan::spec)
                .filter(s -> s.scoring().scored()).toList();
        Dataset<Row> samples = planned.filter(col("scoring").notEqual(ScoringMode.KLD.id()));
        List<ItemResult> items = new ArrayList<>();
        for (Row r : samples.groupBy("variant", "benchmark", "item_id")
                .agg(sort_array(collect_list(struct(col("sample"), col("correct"), col("predicted")))).as("s"))
                .collectAsList()) {
            List<Boolean> correct = new ArrayList<>();
            List<String> predicted = new ArrayList<>();
            for (Row s : r.<Row>getList(3)) {
                correct.add(s.getBoolean(1));
                predicted.add(s.getString(2));
            }
            items.add(new ItemResult(r.getString(0), r.getString(1), r.getString(2), correct, predicted));
        }
        return Summary.of(plan.sweep().baseline(), plan.variants().stream().map(VariantPlan::name).toList(), scored,
                items, commonPrefixes(plan, samples));
    }

    /** Mean common-prefix length of first samples against the baseline's, for generation at temperature 0. */
    private static Map<String, Map<String, Double>> commonPrefixes(SweepPlan plan, Dataset<Row> samples) {
        Object[] greedy = plan.benchmarks().stream().map(BenchmarkPlan::spec)
                .filter(s -> SweepPlan.needs(s.scoring()) == Capability.GENERATE)
                .filter(s -> s.temperature() == 0).map(BenchmarkSpec::name).toArray();
        Map<String, Map<String, Double>> out = new HashMap<>();
        if (greedy.length == 0) {
            return out;
        }
        Dataset<Row> first = samples.filter(col("benchmark").isin(greedy)).filter(col("sample").equalTo(0))
                .select("variant", "benchmark", "item_id", "response");
        Dataset<Row> base = first.filter(col("variant").equalTo(plan.sweep().baseline()))
                .select(col("benchmark"), col("item_id"), col("response").as("base_response"));
        for (Row r : first.join(base, new String[] {"benchmark", "item_id"})
                .groupBy("variant", "benchmark")
                .agg(avg(COMMON_PREFIX.apply(col("response"), col("base_response"))))
                .collectAsList()) {
            out.computeIfAbsent(r.getString(0), k -> new HashMap<>()).put(r.getString(1), r.getDouble(2));
        }
        return out;
    }

    /** Compares every variant's top-K lists with the baseline's at the same cut; writes both kld tables. */
    private static List<Row> kld(SparkSession spark, SweepPlan plan, Dataset<Row> planned, Path root) {
        Dataset<Row> top = planned.filter(col("scoring").equalTo(ScoringMode.KLD.id()))
                .select("variant", "benchmark", "item_id", "sample", "position", "top_logprobs");
        Dataset<Row> base = top.filter(col("variant").equalTo(plan.sweep().baseline()))
                .select(col("benchmark"), col("item_id"), col("sample"), col("top_logprobs").as("base_top"));
        Dataset<Row> positions = top.join(base, new String[] {"benchmark", "item_id", "sample"})
                .select("variant", "benchmark", "item_id", "sample", "position", "top_logprobs", "base_top")
                .map(new ComparePosition(), Encoders.row(KLD_POSITIONS_SCHEMA));
        positions.write().mode(SaveMode.Overwrite).parquet(new Path(root, KLD_POSITIONS).toString());

        List<Row> topK = new ArrayList<>();
        plan.benchmarks().stream().map(BenchmarkPlan::spec).filter(s -> s.scoring() == ScoringMode.KLD)
                .forEach(s -> topK.add(RowFactory.create(s.name(), s.topK())));
        Dataset<Row> settings = spark.createDataFrame(topK, new StructType(new StructField[] {
            DataTypes.createStructField("benchmark", DataTypes.StringType, false),
            DataTypes.createStructField("top_k", DataTypes.IntegerType, false)}));
        Dataset<Row> means = spark.read().schema(KLD_POSITIONS_SCHEMA).parquet(new Path(root, KLD_POSITIONS).toString())
                .groupBy("variant", "benchmark")
                .agg(count(lit(1)).as("positions"), avg("kl").as("mean_kl"),
                        avg(col("top1_agrees").cast(DataTypes.DoubleType)).as("top1_agreement"),
                        avg("base_token_logprob_delta").as("mean_base_token_logprob_delta"),
                        avg(col("base_token_estimated").cast(DataTypes.DoubleType)).as("base_token_estimated_share"))
                .join(settings, "benchmark")
                .select(col("variant"), col("benchmark"), lit(plan.sweep().baseline()).as("baseline"), col("top_k"),
                        col("positions"), col("mean_kl"), col("top1_agreement"), col("mean_base_token_logprob_delta"),
                        col("base_token_estimated_share"))
                .orderBy("benchmark", "variant");
        List<Row> rows = means.collectAsList();
        spark.createDataFrame(rows, KLD_SCHEMA).coalesce(1).write().mode(SaveMode.Overwrite)
                .parquet(new Path(root, KLD).toString());
        return rows;
    }

    /** One position: {@link TopKDivergence#compare} of the baseline's list and the variant's. */
    private static final class ComparePosition implements MapFunction<Row, Row> {
        private static final long serialVersionUID = 1L;

        @Override
        public Row call(Row r) {
            Map<String, Double> variant = r.getJavaMap(5);
            Map<String, Double> baseline = r.getJavaMap(6);
            TopKDivergence.Position p = TopKDivergence.compare(baseline, variant);
            return RowFactory.create(r.getString(0), r.getString(1), r.getString(2), r.getInt(3),
                    r.isNullAt(4) ? null : r.getInt(4), p.kl(), p.top1Agrees(), p.baseTokenLogprobDelta(),
                    p.baseTokenEstimated());
        }
    }
}

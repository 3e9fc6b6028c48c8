package io.quantsweep.quantize;

import io.quantsweep.io.HadoopFileSystems;
import io.quantsweep.plan.VariantPlan;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.PrintWriter;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;
import scala.Tuple2;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * The quantize run on Spark: plan → units → parts → files → statistics, each step a call into the
 * plain classes of this package.
 *
 * <ol>
 *   <li>{@link QuantizePlanner} plans on the driver from the headers; {@link RunManifest#check} decides
 *       between a fresh run, a resumed one and a refusal.</li>
 *   <li>The unit stage: units spread over partitions balanced by bytes with the checkpoint's block
 *       hosts as preferred locations ({@link UnitPartitioner}, {@code makeRDD}); each task reads its
 *       units' rows and writes their parts and records ({@link UnitTasks}, {@link UnitRunner}).</li>
 *   <li>The assembly stage, one task per output file: files committed by an earlier attempt of the run
 *       are verified against the unit records, the others assembled, verified and renamed
 *       ({@link ShardAssembler}). A committed file that fails verification is removed and its units
 *       run again.</li>
 *   <li>{@code _plan/} and {@code _stats/} as Parquet ({@link QuantizeTables}), {@code _SUCCESS},
 *       and the work directory removed.</li>
 * </ol>
 */
public final class QuantizeJob {
    /** Spark setting (tests): the unit whose first part write fails halfway. */
    public static final String FAULT_UNIT = "spark.quantsweep.test.failUnit";
    /** Spark setting (tests): {@code first-attempt} (default), {@code every-attempt} or {@code disk-full}. */
    public static final String FAULT_MODE = "spark.quantsweep.test.failMode";
    /**
     * Spark setting (tests): how the first attempt to assemble the first file dies, as with its executor:
     * {@code after-commit}, or {@code after-consuming-parts} (what HDFS's concat does to them).
     */
    public static final String FAULT_ASSEMBLY = "spark.quantsweep.test.failAssembly";
    /** The run's working directory under the output: parts and unit records. */
    public static final String WORK = "_work";

    /**
     * What a run did.
     *
     * @param state what the output directory held when the run started
     * @param computed units quantized by this run
     * @param reused units whose parts an earlier attempt left and this run verified
     * @param files the committed output files, variant by variant
     * @param peakUnitBytes the most memory a unit's arrays took
     */
    public record Summary(RunManifest.State state, int units, int computed, int reused, List<Path> files, Optional<StatsReport> stats,
            long peakUnitBytes) {
    }

    /** One assembly task: a file to assemble, or a committed one to verify; {@code fault}: {@value #FAULT_ASSEMBLY}. */
    record ShardTask(ShardJob job, boolean committed, ShardAssembler.Mode mode, String fault) implements Serializable {
    }

    /** What became of a file: {@code assembled-concat}, {@code assembled-copy}, {@code verified} or {@code corrupt: …}. */
    record ShardOutcome(int variant, int shard, String status) implements Serializable {
        boolean corrupt() {
            return status.startsWith("corrupt");
        }
    }

    private QuantizeJob() {
    }

    public static Summary run(SparkSession spark, QuantizeOptions o, PrintWriter log) throws IOException {
        long start = System.nanoTime();
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Configuration conf = jsc.hadoopConfiguration();
        QuantizePlanner.Planned planned = QuantizePlanner.plan(o, conf);
        QuantizePlan plan = planned.plan();
        Path out = planned.output();
        FileSystem fs = HadoopFileSystems.of(out, conf);
        RunManifest.State state = planned.manifest().check(fs, out);
        log.printf("quantize: %s, %d parameters, %d variant(s) %s, %d units, %.2f GB to read, output %s (%s)%n",
                planned.modelDirectory(), plan.variants().get(0).parameterCount(), plan.variants().size(), plan.variantNames(),
                plan.units().size(), plan.sourceBytes() / 1e9, out, state.name().toLowerCase(Locale.ROOT));
        plan.coverage().ifPresent(c -> log.println("quantize: imatrix " + o.imatrix().orElseThrow() + ": " + c.describe()));
        for (VariantPlan v : plan.variants()) {
            if (!v.idleRules().isEmpty()) {
                log.printf("quantize: warning: variant %s: rules that decide no tensor of this model: %s%n", v.variant(),
                        String.join(", ", v.idleRules()));
            }
        }
        log.flush();
        if (state == RunManifest.State.COMPLETE) {
            List<String> damaged = damaged(fs, plan, out);
            if (!damaged.isEmpty()) {
                // the files are rebuilt as a resumed run rebuilds a file that fails verification
                log.printf("quantize: %s is marked complete, but %s; running again to rebuild%n", out,
                        String.join(", ", damaged));
                fs.delete(new Path(out, RunManifest.SUCCESS), false);
                state = RunManifest.State.RESUME;
            }
        }
        if (state == RunManifest.State.COMPLETE) {
            // a run killed after its _SUCCESS, while it deleted its parts, left them behind
            boolean leftover = fs.delete(new Path(out, WORK), true);
            log.println("quantize: the run in " + out + " is complete; nothing to do"
                    + (leftover ? " but delete the " + WORK + " folder a killed run left" : ""));
            log.flush();
            return new Summary(state, plan.units().size(), 0, 0, files(plan, out), Optional.empty(), 0);
        }
        if (state == RunManifest.State.FRESH) {
            planned.manifest().write(fs, out);
        }
        // the plan table is written while the units run: Spark SQL's first write in a JVM takes seconds of
        // driver time, which would otherwise hold up every executor
        try (Background planTable = new Background("quantize-plan-table", () -> QuantizeTables.writePlan(spark, plan, out))) {
            PartStore store = new PartStore(fs, new Path(out, WORK));
            RunClaim claim = RunClaim.take(fs, out);
            Stages done = runStages(spark, planned, o, store, claim, log);
            long statsStart = System.nanoTime();
            jsc.setJobDescription("quantize: statistics of " + plan.variants().size() + " variant(s) to Parquet");
            StatsReport report = new StatsReport(plan, done.records());
            planTable.await();
            claim.require("writing the statistics");
            QuantizeTables.writeStats(spark, report, out);
            claim.require("writing " + RunManifest.SUCCESS);
            planned.manifest().writeSuccess(fs, out, QuantizeTables.successSummary(plan, out, done.computed(), done.reused()));
            store.deleteAll();
            long end = System.nanoTime();
            log.print(report.table());
            log.printf(Locale.ROOT, "quantize: done in %.1f s (units %.1f s, assembly %.1f s, statistics and commit %.1f s), "
                    + "%d units quantized, %d reused from an earlier attempt%n", (end - start) / 1e9, done.unitNanos() / 1e9,
                    done.assemblyNanos() / 1e9, (end - statsStart) / 1e9, done.computed(), done.reused());
            log.flush();
            return new Summary(state, plan.units().size(), done.computed(), done.reused(), files(plan, out), Optional.of(report),
                    done.peak());
        }
    }

    /** What the unit and assembly stages did, over their rounds. */
    private record Stages(Map<Integer, UnitRecord> records, int computed, int reused, long peak, long unitNanos,
            long assemblyNanos) {
    }

    /**
     * The unit stage, then the assembly stage; a file that fails verification sends its units round
     * again, once.
     */
    private static Stages runStages(SparkSession spark, QuantizePlanner.Planned planned, QuantizeOptions o, PartStore store,
            RunClaim claim, PrintWriter log) throws IOException {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        QuantizePlan plan = planned.plan();
        Path out = planned.output();
        Set<String> committed = new HashSet<>();
        List<String> shards = new ArrayList<>();
        for (int v = 0; v < plan.variants().size(); v++) {
            for (int s = 0; s < plan.variants().get(v).shards().size(); s++) {
                shards.add(v + "/" + s);
                if (store.fileSystem().exists(plan.target(out, v, s))) {
                    committed.add(v + "/" + s);
                }
            }
        }
        Map<Integer, UnitRecord> records = new TreeMap<>();
        int computed = 0;
        int reused = 0;
        long peak = 0;
        long unitNanos = 0;
        long assemblyNanos = 0;
        List<Integer> todo = plan.units().stream().map(WorkUnit::index).toList();
        for (int round = 0; !todo.isEmpty(); round++) {
            if (round == 2) {
                throw new ShardVerificationException("output files of " + out + " failed verification twice; see the log");
            }
            long t0 = System.nanoTime();
            List<UnitRunner.Result> results = runUnits(spark, planned, o, todo, committed, log);
            long t1 = System.nanoTime();
            unitNanos += t1 - t0;
            for (UnitRunner.Result r : results) {
                records.put(r.record().unit(), r.record());
                computed += r.reused() ? 0 : 1;
                reused += r.reused() ? 1 : 0;
                peak = Math.max(peak, r.peakBytes());
            }
            claim.require("assembling the files");
            List<ShardOutcome> outcomes = assemble(jsc, plan, out, store, records, shards, committed, o.assembly(),
                    round == 0 ? spark.conf().get(FAULT_ASSEMBLY, "") : "");
            assemblyNanos += System.nanoTime() - t1;
            log.println("quantize: files " + counts(outcomes));
            // a unit has a part in a shard of every variant, and two of them may be corrupt
            SortedSet<Integer> again = new TreeSet<>();
            shards = new ArrayList<>();
            for (ShardOutcome s : outcomes) {
                if (s.corrupt()) {
                    log.println("quantize: " + s.status() + "; rebuilding it");
                    // deleted here, not by the task: an older attempt still verifying could delete the rebuilt file
                    store.fileSystem().delete(plan.target(out, s.variant(), s.shard()), false);
                    committed.remove(s.variant() + "/" + s.shard());
                    shards.add(s.variant() + "/" + s.shard());
                    again.addAll(plan.partsOf(s.variant(), s.shard()));
                } else {
                    committed.add(s.variant() + "/" + s.shard());
                }
            }
            todo = List.copyOf(again);
            log.flush();
        }
        return new Stages(records, computed, reused, peak, unitNanos, assemblyNanos);
    }

    /** How a round's files were made, e.g. {@code 2 assembled-concat, 1 verified}. */
    private static String counts(List<ShardOutcome> outcomes) {
        Map<String, Long> byStatus = outcomes.stream()
                .collect(Collectors.groupingBy(s -> s.corrupt() ? "corrupt" : s.status(), TreeMap::new, Collectors.counting()));
        return byStatus.entrySet().stream().map(e -> e.getValue() + " " + e.getKey()).collect(Collectors.joining(", "));
    }

    /** Work on a driver thread of its own, alongside the stages. */
    private static final class Background implements AutoCloseable {
        private final FutureTask<Void> task;

        Background(String name, Runnable body) {
            task = new FutureTask<>(body, null);
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            thread.start();
        }

        /** Waits for the work; its failure is thrown here. */
        void await() throws IOException {
            try {
                task.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting for " + task);
            } catch (ExecutionException e) {
                if (e.getCause() instanceof Exception cause) {
                    throw SparkFailures.unwrap(cause);
                }
                throw (Error) e.getCause();
            }
        }

        /** A run that fails still waits, so that none of its Spark jobs outlives it; the run's own failure is the one reported. */
        @Override
        public void close() {
            try {
                task.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                // reported by await when the run got that far
            }
        }
    }

    /**
     * The output files of a complete run that are missing or not the size their plan gives, as what is
     * wrong with each: a cheap check (one metadata call per file) before a rerun says there is nothing to do.
     */
    private static List<String> damaged(FileSystem fs, QuantizePlan plan, Path out) throws IOException {
        List<String> damaged = new ArrayList<>();
        for (int v = 0; v < plan.variants().size(); v++) {
            for (int s = 0; s < plan.variants().get(v).shards().size(); s++) {
                Path file = plan.target(out, v, s);
                long planned = plan.variants().get(v).shards().get(s).fileSize();
                try {
                    long size = fs.getFileStatus(file).getLen();
                    if (size != planned) {
                        damaged.add("%s has %,d bytes, not %,d".formatted(file.getName(), size, planned));
                    }
                } catch (FileNotFoundException e) {
                    damaged.add(file.getName() + " is missing");
                }
            }
        }
        return damaged;
    }

    private static List<Path> files(QuantizePlan plan, Path out) {
        List<Path> files = new ArrayList<>();
        for (int v = 0; v < plan.variants().size(); v++) {
            for (int s = 0; s < plan.variants().get(v).shards().size(); s++) {
                files.add(plan.target(out, v, s));
            }
        }
        return files;
    }

    /** The unit stage over {@code units}. */
    private static List<UnitRunner.Result> runUnits(SparkSession spark, QuantizePlanner.Planned planned, QuantizeOptions o,
            List<Integer> units, Set<String> committed, PrintWriter log) throws IOException {
        JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        QuantizePlan plan = planned.plan();
        int partitions = o.partitions() > 0 ? o.partitions() : 4 * jsc.defaultParallelism();
        List<UnitPartitioner.Item> items = new ArrayList<>(units.size());
        long bytes = 0;
        for (int u : units) {
            WorkUnit w = plan.units().get(u);
            items.add(new UnitPartitioner.Item(u, w.sourceBytes(), plan.hostBytes(u)));
            bytes += w.sourceBytes();
        }
        List<Tuple2<UnitTasks.Bundle, Seq<String>>> located = new ArrayList<>();
        for (UnitPartitioner.Bundle b : UnitPartitioner.partition(items, partitions)) {
            List<WorkUnit> ws = b.units().stream().map(plan.units()::get).toList();
            located.add(new Tuple2<>(new UnitTasks.Bundle(ws), CollectionConverters.asScala(b.hosts()).toList()));
        }
        LongAccumulator unitsDone = jsc.sc().longAccumulator("quantize units done");
        LongAccumulator bytesDone = jsc.sc().longAccumulator("quantize source bytes done");
        LongAccumulator bytesRead = jsc.sc().longAccumulator("quantize source bytes read");
        UnitTasks.Settings settings = new UnitTasks.Settings(SerializableConfiguration.broadcast(jsc.sc()),
                planned.modelDirectory().toString(), planned.scaling(), new Path(planned.output(), WORK).toString(),
                plan.variantNames(), o.sourcePrecision(), o.device(), Set.copyOf(committed), fault(spark), unitsDone, bytesDone,
                bytesRead);
        ClassTag<UnitTasks.Bundle> tag = ClassTag$.MODULE$.apply(UnitTasks.Bundle.class);
        RDD<UnitTasks.Bundle> rdd = jsc.sc().makeRDD(CollectionConverters.asScala(located).toList(), tag);
        jsc.setJobDescription("quantize: %d units of %s into %s (%.2f GB, %d partitions)".formatted(units.size(),
                planned.modelDirectory().getName(), plan.variantNames(), bytes / 1e9, located.size()));
        try (Progress progress = new Progress(log, "quantize", units.size(), bytes, unitsDone::value, bytesDone::value,
                bytesRead::value, o.progressInterval())) {
            return new JavaRDD<>(rdd, tag).flatMap(b -> UnitTasks.run(settings, b).iterator()).collect();
        } catch (Exception e) {
            throw SparkFailures.unwrap(e);
        }
    }

    /** The test fault the session's runtime configuration asks for, if any. */
    private static UnitTasks.Fault fault(SparkSession spark) {
        String unit = spark.conf().get(FAULT_UNIT, null);
        if (unit == null) {
            return UnitTasks.Fault.NONE;
        }
        return new UnitTasks.Fault(Integer.parseInt(unit.trim()),
                UnitTasks.Fault.Mode.parse(spark.conf().get(FAULT_MODE, "first-attempt")));
    }

    /** The assembly stage: one task per file of every variant. */
    private static List<ShardOutcome> assemble(JavaSparkContext jsc, QuantizePlan plan, Path out, PartStore store,
            Map<Integer, UnitRecord> records, List<String> shards, Set<String> committed, ShardAssembler.Mode mode,
            String fault) throws IOException {
        List<ShardTask> tasks = new ArrayList<>();
        for (String key : shards) {
            int v = Integer.parseInt(key.substring(0, key.indexOf('/')));
            int s = Integer.parseInt(key.substring(key.indexOf('/') + 1));
            tasks.add(new ShardTask(plan.shardJob(out, store, v, s, records), committed.contains(key), mode,
                    tasks.isEmpty() ? fault : ""));
        }
        List<String> names = plan.variantNames();
        HadoopConf conf = new HadoopConf(SerializableConfiguration.broadcast(jsc.sc()));
        jsc.setJobDescription("quantize: assemble and verify %d file(s) of %s".formatted(tasks.size(), names));
        try {
            return jsc.parallelize(tasks, tasks.size()).map(t -> assembleOne(conf, names, t)).collect();
        } catch (Exception e) {
            throw SparkFailures.unwrap(e);
        }
    }

    /** The driver's Hadoop configuration, broadcast to the assembly tasks. */
    private record HadoopConf(Broadcast<SerializableConfiguration> conf) implements Serializable {
        Configuration value() {
            return conf.value().value();
        }
    }

    private static ShardOutcome assembleOne(HadoopConf conf, List<String> variants, ShardTask t) throws IOException {
        ShardJob job = t.job();
        int v = variants.indexOf(job.variant());
        Path target = new Path(job.target());
        FileSystem fs = HadoopFileSystems.of(target, conf.value());
        ShardAssembler assembler = new ShardAssembler(fs);
        // a file is there to verify when an earlier run committed it, or an earlier attempt of this task did
        if (t.committed() || fs.exists(target)) {
            try {
                assembler.verify(target, job);
                return new ShardOutcome(v, job.shard(), "verified");
            } catch (ShardVerificationException e) {
                return new ShardOutcome(v, job.shard(), "corrupt: " + e.getMessage());
            }
        }
        int attempt = TaskContext.get().attemptNumber();
        // an earlier attempt's concat may have moved the parts into its temporary file, then been lost
        Optional<String> missing = attempt > 0 ? missingPart(fs, job) : Optional.empty();
        if (missing.isPresent()) {
            return new ShardOutcome(v, job.shard(), "corrupt: part " + missing.get() + " of " + target + " is missing");
        }
        boolean injected = !t.fault().isEmpty() && attempt == 0;
        if (injected && t.fault().equals("after-consuming-parts")) {
            for (ShardJob.PartRef p : job.parts()) {
                fs.delete(new Path(p.path()), false);
            }
            throw new IllegalStateException("injected loss of an assembly task after its concat");
        }
        ShardAssembler.Mode used = assembler.assemble(job, t.mode());
        if (injected) {
            throw new IllegalStateException("injected loss of an assembly task after its commit");
        }
        return new ShardOutcome(v, job.shard(), used == ShardAssembler.Mode.AUTO ? "assembled-concat" : "assembled-copy");
    }

    /** The first part of {@code job} that its folder no longer holds (one listing of the folder). */
    private static Optional<String> missingPart(FileSystem fs, ShardJob job) throws IOException {
        Set<String> present = new HashSet<>();
        try {
            for (FileStatus f : fs.listStatus(new Path(job.workDirectory()))) {
                present.add(f.getPath().getName());
            }
        } catch (FileNotFoundException e) {
            // no parts folder: every part is missing
        }
        return job.parts().stream().map(ShardJob.PartRef::path).filter(p -> !present.contains(new Path(p).getName()))
                .findFirst();
    }
}

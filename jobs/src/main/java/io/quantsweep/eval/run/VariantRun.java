package io.quantsweep.eval.run;

import io.quantsweep.eval.backend.Backend;
import io.quantsweep.eval.backend.BackendException;
import io.quantsweep.eval.backend.ServerInfo;
import io.quantsweep.eval.sweep.BenchmarkSpec;
import io.quantsweep.io.HadoopFileSystems;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task of one variant, on an executor: finds the samples its output lacks, opens the variant's
 * backends (loading an in-process model once for the JVM), sends the missing samples on
 * {@link VariantPlan#threads()} threads (each benchmark's first before the rest), and writes each
 * benchmark's finished samples in batches of the sweep's batch size, its last ones as soon as they are done; when all are done, it merges each
 * benchmark's files into one ({@link SampleFiles}), scoring every sample again by this version's rules
 * on the way ({@link SampleRunner#rescorer}).
 *
 * <p>When a sample fails for good, no further sample is started; the ones in flight finish, every
 * finished sample is written, and the task fails with the first failure. A variant whose samples are
 * all present opens no backend at all.
 */
final class VariantRun {
    private static final Logger LOG = LoggerFactory.getLogger(VariantRun.class);

    /** One sample to ask. */
    private record Task(BenchmarkPlan benchmark, WorkItem work, int sample) {
    }

    /** What a worker hands the writer: a row, a failure, or its own end. */
    private sealed interface Event permits Done, Failed, Exited {
    }

    private record Done(SampleRow row) implements Event {
    }

    private record Failed(Task task, Throwable error) implements Event {
    }

    private record Exited() implements Event {
    }

    private final SweepPlan plan;
    private final VariantPlan variant;
    private final FileSystem fs;
    private final Configuration conf;
    private final Path samples;
    private final String attempt = UUID.randomUUID().toString();
    private int files;
    private long written;

    private VariantRun(SweepPlan plan, VariantPlan variant, FileSystem fs, Configuration conf, Path samples) {
        this.plan = plan;
        this.variant = variant;
        this.fs = fs;
        this.conf = conf;
        this.samples = samples;
    }

    /**
     * Runs what {@code variant} still lacks under {@code samples} (the output's {@code samples} folder).
     *
     * @param hadoop the driver's Hadoop settings, so executors reach the output as the driver does
     */
    static VariantOutcome run(SweepPlan plan, String variant, String samples, Map<String, String> hadoop) throws IOException {
        Configuration conf = new Configuration(false);
        hadoop.forEach(conf::set);
        Path dir = new Path(samples);
        VariantRun run = new VariantRun(plan, plan.variant(variant), HadoopFileSystems.of(dir, conf), conf, dir);
        return run.run();
    }

    private VariantOutcome run() throws IOException {
        String name = variant.name();
        SampleFiles.claim(fs, samples, name, attempt);
        int leftovers = SampleFiles.deleteLeftovers(fs, conf, samples, name);
        Map<SampleKey, SampleFiles.Committed> existing = SampleFiles.existing(fs, conf, samples, name);
        List<Task> pending = new ArrayList<>();
        long planned = 0;
        for (BenchmarkPlan b : plan.benchmarks()) {
            for (WorkItem w : b.items()) {
                for (int s = 0; s < b.samples(w); s++) {
                    planned++;
                    SampleKey key = new SampleKey(b.spec().name(), w.item().id(), s);
                    SampleFiles.Committed done = existing.get(key);
                    if (done == null) {
                        pending.add(new Task(b, w, s));
                    } else {
                        requireSameSettings(key, done, b, w, s);
                    }
                }
            }
        }
        LOG.info("sweep {} variant {}: {} of {} samples to ask ({} already written, {} leftovers of killed runs removed)",
                plan.sweep().name(), name, pending.size(), planned, planned - pending.size(), leftovers);
        if (!pending.isEmpty()) {
            ask(firstOfEachBenchmarkFirst(pending), existing.values());
        }
        for (BenchmarkPlan b : plan.benchmarks()) {
            // each merge rewrites a file: an attempt overtaken meanwhile must not write one beside its successor's
            SampleFiles.requireWriter(fs, samples, name, attempt);
            SampleFiles.Compaction c = SampleFiles.compact(fs, conf, SampleFiles.benchmarkDir(samples, name, b.spec().name()),
                    attempt, SampleRunner.rescorer(b));
            if (c.merged() > 0) {
                LOG.info("sweep {} variant {} benchmark {}: merged {} sample files into one", plan.sweep().name(), name,
                        b.spec().name(), c.merged());
            }
            if (c.rescored() > 0) {
                LOG.info("sweep {} variant {} benchmark {}: scored {} samples again, which an earlier version (or an edit) "
                        + "scored otherwise", plan.sweep().name(), name, b.spec().name(), c.rescored());
            }
        }
        return new VariantOutcome(name, planned, planned - pending.size(), written, files, leftovers);
    }

    /**
     * {@code pending} with each benchmark's first sample moved to the front, so that a request the
     * backend refuses for one benchmark's settings (more alternatives than vLLM's --max-logprobs, a
     * grammar, a context too small) stops the variant at its start, not after the benchmarks before it.
     */
    private static List<Task> firstOfEachBenchmarkFirst(List<Task> pending) {
        List<Task> first = new ArrayList<>();
        List<Task> rest = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Task t : pending) {
            (seen.add(t.benchmark().spec().name()) ? first : rest).add(t);
        }
        first.addAll(rest);
        return first;
    }

    private void requireSameSettings(SampleKey key, SampleFiles.Committed done, BenchmarkPlan b, WorkItem w, int s) {
        SampleFiles.Settings now = new SampleFiles.Settings(WorkItem.hash(w.text(s)), b.spec().scoring().id(),
                b.spec().sampleSeed(w.item().id(), s), b.spec().temperature(), b.spec().topP(), b.spec().maxTokens(),
                b.spec().requestStop(), b.spec().requestTopK());
        if (!now.equals(done.settings())) {
            throw new SweepRefusedException(("sweep %s: variant %s: sample %s in %s was made with other settings (%s); "
                    + "write to a new output folder, or delete that variant's samples to redo them")
                    .formatted(plan.sweep().name(), variant.name(), key, done.file(), done.settings().changesTo(now)));
        }
    }

    /** @param done the variant's samples from earlier runs, which must come from the backend's model and build */
    private void ask(List<Task> pending, Collection<SampleFiles.Committed> done) throws IOException {
        // Spark marks a task killed (its job failed or was cancelled) without interrupting it; the
        // workers then start no new sample, and the ones in flight are still written
        TaskContext task = TaskContext.get();
        BooleanSupplier killed = () -> task != null && task.isInterrupted();
        List<Backend> backends = open(pending.stream().map(t -> t.benchmark().spec()).distinct().toList());
        SampleFiles.Source now = SampleFiles.Source.of(backends.get(0).serverInfo());
        Optional<SampleFiles.Committed> other = done.stream().filter(c -> !c.source().admits(now)).findFirst();
        if (other.isPresent()) {
            backends.forEach(Backend::close);
            // a resumed variant would mix two models' (or two builds') answers under one name
            throw new SweepRefusedException(("sweep %s: variant %s: its samples in %s were answered by %s, but it now "
                    + "runs on %s; write to a new output folder, or delete that variant's samples to redo them")
                    .formatted(plan.sweep().name(), variant.name(), other.get().file(), other.get().source(), now));
        }
        int threads = variant.threads();
        BlockingQueue<Event> events = new LinkedBlockingQueue<>();
        AtomicInteger next = new AtomicInteger();
        AtomicBoolean stop = new AtomicBoolean();
        Map<String, List<SampleRow>> batches = new LinkedHashMap<>();
        Map<String, Integer> unfinished = new HashMap<>();
        pending.forEach(t -> unfinished.merge(t.benchmark().spec().name(), 1, Integer::sum));
        Failed failure = null;
        ExecutorService pool = null;
        try {
            pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "sweep-" + variant.name());
                t.setDaemon(true);
                return t;
            });
            int g = 0;
            for (VariantPlan.Group group : variant.groups()) {
                Backend backend = backends.get(g++);
                for (int i = 0; i < group.threads(); i++) {
                    pool.execute(() -> work(backend, pending, next, stop, killed, events));
                }
            }
            for (int exited = 0; exited < threads; ) {
                Event e = events.take();
                if (e instanceof Done d) {
                    List<SampleRow> batch = batches.computeIfAbsent(d.row().benchmark(), k -> new ArrayList<>());
                    batch.add(d.row());
                    int left = unfinished.merge(d.row().benchmark(), -1, Integer::sum);
                    // a benchmark's last samples are written at once, not when the sweep ends
                    if (batch.size() >= plan.sweep().execution().batchSize() || left == 0) {
                        write(batch);
                    }
                } else if (e instanceof Failed f) {
                    failure = failure == null ? f : failure;
                } else {
                    exited++;
                }
            }
            flush(batches);
        } catch (InterruptedException e) {
            // written first: with the flag set again, a file system's client may refuse to write
            flush(batches);
            Thread.currentThread().interrupt();
            throw new SweepFailedException("sweep %s: variant %s was interrupted; the %d samples finished before are written"
                    .formatted(plan.sweep().name(), variant.name(), written), e);
        } finally {
            stop.set(true);
            if (pool != null) {
                pool.shutdownNow();
            }
            backends.forEach(Backend::close);
        }
        if (failure != null) {
            Task t = failure.task();
            throw new SweepFailedException(("sweep %s: variant %s: benchmark %s item %s sample %d failed: %s; the %d "
                    + "samples finished before are written, run the sweep again to resume").formatted(plan.sweep().name(),
                    variant.name(), t.benchmark().spec().name(), t.work().item().id(), t.sample(),
                    Objects.requireNonNullElse(failure.error().getMessage(), failure.error().toString()), written),
                    failure.error());
        }
        if (unfinished.values().stream().anyMatch(left -> left > 0)) {
            throw new SweepFailedException(("sweep %s: variant %s was stopped (its task was killed); the %d samples "
                    + "finished before are written").formatted(plan.sweep().name(), variant.name(), written), null);
        }
    }

    /** A worker: takes the next pending sample until none is left, a sample failed or the task was killed. */
    private void work(Backend backend, List<Task> pending, AtomicInteger next, AtomicBoolean stop,
            BooleanSupplier killed, BlockingQueue<Event> events) {
        try {
            for (int i = next.getAndIncrement(); i < pending.size() && !stop.get() && !killed.getAsBoolean();
                    i = next.getAndIncrement()) {
                Task t = pending.get(i);
                try {
                    events.add(new Done(SampleRunner.run(backend, plan.sweep().name(), variant.name(), t.benchmark(),
                            t.work(), t.sample())));
                } catch (Throwable e) {
                    // an Error too: a worker that ended without a word would leave its samples unasked
                    stop.set(true);
                    events.add(new Failed(t, e));
                }
            }
        } finally {
            events.add(new Exited());
        }
    }

    /**
     * Opens the variant's backends; those of one variant must agree on build and model, and give a request
     * the context that {@code asked}, the benchmarks with samples still to ask, need.
     */
    private List<Backend> open(List<BenchmarkSpec> asked) throws SweepFailedException {
        List<Backend> backends = new ArrayList<>();
        for (VariantPlan.Group group : variant.groups()) {
            try {
                Backend b = group.config().open();
                backends.add(b);
                ServerInfo first = backends.get(0).serverInfo();
                if (!b.serverInfo().sameModel(first)) {
                    throw new BackendException(BackendException.Reason.BAD_CONFIG, "one variant's endpoints run %s and %s"
                            .formatted(first.describeWithFile(), b.serverInfo().describeWithFile()));
                }
                // the context the model or server gives a request is known only now: an in-process model's own
                // for context-size 0, a server's per slot
                int context = b.serverInfo().contextSize();
                for (BenchmarkSpec benchmark : asked) {
                    if (!SweepPlan.fits(benchmark, context)) {
                        throw new BackendException(BackendException.Reason.BAD_CONFIG, ("%s gives %s; give it more context "
                                + "(in-process: context-size; llama-server: --ctx-size, divided among --parallel slots; "
                                + "vLLM: --max-model-len; SGLang: --context-length, and a KV cache that holds it: "
                                + "--mem-fraction-static, --max-total-tokens)").formatted(b.serverInfo().describe(),
                                SweepPlan.tooSmall(benchmark, context)));
                    }
                }
            } catch (BackendException | RuntimeException e) {
                backends.forEach(Backend::close);
                String message = SweepPlan.cannotOpen(plan.sweep(), variant, group, e);
                if (e instanceof BackendException b && b.refusesInput()) {
                    throw new SweepRefusedException(message, e);
                }
                throw new SweepFailedException(message, e);
            }
        }
        return backends;
    }

    private void flush(Map<String, List<SampleRow>> batches) throws IOException {
        for (List<SampleRow> batch : batches.values()) {
            write(batch);
        }
    }

    /** Writes and empties a batch (all of one benchmark). */
    private void write(List<SampleRow> batch) throws IOException {
        if (batch.isEmpty()) {
            return;
        }
        String benchmark = batch.get(0).benchmark();
        SampleFiles.requireWriter(fs, samples, variant.name(), attempt);
        String name = "%s%s-%05d.parquet".formatted(SampleFiles.PART, attempt, files);
        SampleFiles.write(fs, conf, SampleFiles.benchmarkDir(samples, variant.name(), benchmark), name, batch);
        files++;
        written += batch.size();
        LOG.info("sweep {} variant {} benchmark {}: wrote {} samples to {}", plan.sweep().name(), variant.name(),
                benchmark, batch.size(), name);
        batch.clear();
    }
}

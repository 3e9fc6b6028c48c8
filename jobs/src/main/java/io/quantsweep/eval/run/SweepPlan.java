package io.quantsweep.eval.run;

import io.quantsweep.eval.backend.BackendConfig;
import io.quantsweep.eval.backend.BackendException;
import io.quantsweep.eval.backend.Capability;
import io.quantsweep.eval.bench.HadoopDataDir;
import io.quantsweep.eval.bench.Item;
import io.quantsweep.eval.prompt.ChatFormat;
import io.quantsweep.eval.prompt.PromptBuilder;
import io.quantsweep.eval.score.ScoringMode;
import io.quantsweep.eval.sweep.BenchmarkSpec;
import io.quantsweep.eval.sweep.PreparedBenchmark;
import io.quantsweep.eval.sweep.SweepSpec;
import io.quantsweep.eval.sweep.VariantSpec;
import io.quantsweep.io.HadoopFileSystems;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a sweep sends, worked out on the driver: every benchmark loaded and every prompt
 * rendered once, and how each variant is reached. Shipped to the executors as it is.
 *
 * @param sweep      the sweep file
 * @param variants   the variants, in file order
 * @param benchmarks the benchmarks, in file order
 */
public record SweepPlan(SweepSpec sweep, List<VariantPlan> variants, List<BenchmarkPlan> benchmarks)
        implements Serializable {
    private static final Logger LOG = LoggerFactory.getLogger(SweepPlan.class);

    public SweepPlan {
        Objects.requireNonNull(sweep, "sweep");
        variants = List.copyOf(variants);
        benchmarks = List.copyOf(benchmarks);
    }

    /**
     * Loads every benchmark and plans every variant. Relative benchmark and model paths are resolved
     * against {@code folder} (on any Hadoop file system); models must be on local disk, where the
     * executors' llama.cpp reads them.
     */
    public static SweepPlan of(SweepSpec sweep, Path folder, Configuration conf) throws IOException {
        // qualified, so that a relative folder means the same on the executors as here
        Path base = HadoopFileSystems.of(folder, conf).makeQualified(folder);
        List<BenchmarkPlan> benchmarks = new ArrayList<>();
        for (BenchmarkSpec spec : sweep.benchmarks()) {
            Path dir = resolve(base, spec.path());
            PreparedBenchmark prepared = PreparedBenchmark.prepare(spec, new HadoopDataDir(HadoopFileSystems.of(dir, conf), dir),
                    sweep.execution().maxMalformedShare());
            if (!prepared.malformed().isEmpty()) {
                LOG.warn("benchmark {}: skipped {} malformed rows, first: {}", spec.name(), prepared.malformed().size(),
                        prepared.malformed().get(0));
            }
            prepared.warnings().forEach(LOG::warn);
            benchmarks.add(new BenchmarkPlan(spec, workItems(spec, prepared)));
        }
        List<VariantPlan> variants = new ArrayList<>();
        for (VariantSpec v : sweep.variants()) {
            String gguf = "";
            if (v.deployment() instanceof VariantSpec.InProcess p) {
                Path model = resolve(base, p.gguf());
                String scheme = model.toUri().getScheme();
                if (scheme != null && !scheme.equals("file")) {
                    throw new SweepRefusedException("sweep %s: variant %s: in-process models are read from the executors' local disk, not %s"
                            .formatted(sweep.name(), v.name(), model));
                }
                gguf = model.toUri().getPath();
            }
            variants.add(VariantPlan.of(v, gguf, sweep.execution()));
        }
        return new SweepPlan(sweep, variants, benchmarks);
    }

    private static List<WorkItem> workItems(BenchmarkSpec spec, PreparedBenchmark prepared) {
        PromptBuilder prompts = prepared.prompts();
        List<WorkItem> items = new ArrayList<>();
        for (Item item : prepared.items()) {
            if (spec.scoring() == ScoringMode.KLD) {
                WorkItem passage = WorkItem.cut(item, prompts.build(item), spec.positions(), spec.seed());
                if (!passage.cuts().isEmpty()) {
                    items.add(passage);
                }
            } else {
                items.add(WorkItem.whole(item, prompts.build(item)));
            }
        }
        return items;
    }

    /**
     * Refuses the sweep, before anything is opened or sent, if some variant's backend cannot do what
     * some benchmark needs (raw prompts from a chat API, a context that holds its generations).
     */
    public void requireCapabilities() {
        requireCapabilities(sweep, variants);
    }

    /**
     * {@link #requireCapabilities()} of {@code sweep}'s benchmarks on these variants, before any is loaded;
     * also a context set too small for a benchmark's generations (the answer would be cut off, or the
     * prompt shifted out of the context, and scored as if the model had finished).
     */
    static void requireCapabilities(SweepSpec sweep, List<VariantPlan> variants) {
        for (VariantPlan v : variants) {
            for (BenchmarkSpec b : sweep.benchmarks()) {
                for (VariantPlan.Group g : v.groups()) {
                    try {
                        g.config().requireCapabilities(needs(b));
                    } catch (BackendException e) {
                        throw new SweepRefusedException("sweep %s: variant %s cannot run benchmark %s (scoring %s): %s"
                                .formatted(sweep.name(), v.name(), b.name(), b.scoring().id(), e.getMessage()), e);
                    }
                    if (!fits(b, g.config().contextSize())) {
                        throw new SweepRefusedException(("sweep %s: variant %s has %s; set its context-size above both, "
                                + "or 0 for the model's own").formatted(sweep.name(), v.name(),
                                tooSmall(b, g.config().contextSize())));
                    }
                }
            }
        }
    }

    /**
     * Runs every backend's {@link BackendConfig#preflight} here. Call it where this JVM sees the
     * executors' disks (Spark's local mode), so that a model file a backend refuses stops the sweep
     * before any variant runs, not after the others have run to their end. Other failures, such as a
     * native library that does not load, are left to the variant's task, which meets and reports them
     * with the others.
     */
    public void preflight() {
        for (VariantPlan v : variants) {
            for (VariantPlan.Group g : v.groups()) {
                try {
                    g.config().preflight();
                } catch (BackendException e) {
                    if (e.refusesInput()) {
                        throw new SweepRefusedException(cannotOpen(sweep, v, g, e), e);
                    }
                }
            }
        }
    }

    /**
     * Whether a context of {@code context} tokens (0: not known here) leaves room for benchmark {@code b}'s
     * answers beside its prompts: a generating benchmark's max-tokens must be below it.
     */
    static boolean fits(BenchmarkSpec b, int context) {
        return context <= 0 || !b.scoring().generates() || b.maxTokens() < context;
    }

    /** What {@link #fits} found wanting, for messages. */
    static String tooSmall(BenchmarkSpec b, int context) {
        return "a context of %d tokens, which cannot hold benchmark %s's max-tokens %d and its prompt"
                .formatted(context, b.name(), b.maxTokens());
    }

    /** The message of a variant's backend that failed to open, on the driver or in its task. */
    static String cannotOpen(SweepSpec sweep, VariantPlan variant, VariantPlan.Group group, Exception e) {
        return "sweep %s: variant %s: cannot open %s: %s".formatted(sweep.name(), variant.name(),
                group.config().describe(), e.getMessage());
    }

    /** What a scoring mode asks of a backend. */
    static Capability needs(ScoringMode mode) {
        return mode.needsNextToken() ? Capability.TOP_K : mode == ScoringMode.MC_GRAMMAR ? Capability.CHOOSE
                : Capability.GENERATE;
    }

    /**
     * What a benchmark asks of a backend: its scoring's capability, and raw prompts where the prompt
     * carries its own chat markup (a chat API would wrap it in a second template) or where the next
     * token of a passage is compared (in a chat turn it would start an assistant's reply).
     */
    static Capability[] needs(BenchmarkSpec b) {
        return b.chat() != ChatFormat.NONE || b.scoring() == ScoringMode.KLD
                ? new Capability[] {needs(b.scoring()), Capability.RAW_PROMPT}
                : new Capability[] {needs(b.scoring())};
    }

    /** The variant named {@code name}. */
    VariantPlan variant(String name) {
        return variants.stream().filter(v -> v.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no variant " + name + " in sweep " + sweep.name()));
    }

    /** {@code path} itself when absolute (or with a scheme), else {@code base/path}. */
    static Path resolve(Path base, String path) {
        Path p = new Path(path);
        return p.isAbsolute() || p.toUri().getScheme() != null ? p : new Path(base, path);
    }
}

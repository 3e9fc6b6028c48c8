package io.quantsweep.eval.sweep;

import io.quantsweep.eval.bench.BenchmarkLoader;
import io.quantsweep.eval.bench.DataDir;
import io.quantsweep.eval.bench.Item;
import io.quantsweep.eval.bench.ItemSubset;
import io.quantsweep.eval.bench.LoadedSplit;
import io.quantsweep.eval.bench.MalformedRow;
import io.quantsweep.eval.prompt.PromptBuilder;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A benchmark of a sweep made ready to run: its items after the limit, the prompt builder over its
 * few-shot pool, and the rows both splits skipped as malformed.
 *
 * @param spec      what the sweep file said
 * @param items     the items every variant is asked, in file order
 * @param prompts   renders the prompt of an item
 * @param malformed rows skipped in the evaluated split and the few-shot split (within the allowed share)
 * @param warnings  where the exemplars are not what a reader of the sweep file would assume
 */
public record PreparedBenchmark(BenchmarkSpec spec, List<Item> items, PromptBuilder prompts,
        List<MalformedRow> malformed, List<String> warnings) {
    public PreparedBenchmark {
        items = List.copyOf(items);
        malformed = List.copyOf(malformed);
        warnings = List.copyOf(warnings);
    }

    /**
     * Loads the split (and the few-shot split when exemplars are asked for), refuses either if more
     * than {@code maxMalformedShare} of its rows are malformed, applies the item limit, and renders one
     * prompt per subject so that a few-shot pool too small for some subject fails here, not mid-sweep.
     *
     * @param dir the benchmark's folder ({@link BenchmarkSpec#path()} resolved by the caller)
     */
    public static PreparedBenchmark prepare(BenchmarkSpec spec, DataDir dir, double maxMalformedShare)
            throws IOException {
        BenchmarkLoader loader = spec.loader().loader(spec.fields());
        LoadedSplit split = loader.load(dir, spec.split()).requireMalformedShareAtMost(maxMalformedShare);
        List<MalformedRow> malformed = new ArrayList<>(split.malformed());
        List<Item> pool = List.of();
        if (spec.shots() > 0 && spec.shotsSplit().equals(spec.split())) {
            pool = split.items();
        } else if (spec.shots() > 0) {
            LoadedSplit shots = loader.load(dir, spec.shotsSplit()).requireMalformedShareAtMost(maxMalformedShare);
            malformed.addAll(shots.malformed());
            pool = shots.items();
        }
        List<Item> items = ItemSubset.of(split.items(), spec.limit(), spec.seed());
        PromptBuilder prompts = new PromptBuilder(spec.template(), spec.chat(),
                spec.shotSelection().prepare(split.items(), pool, spec.shots(), spec.shotSeed()));
        Map<String, Item> firstOfSubject = new LinkedHashMap<>();
        items.forEach(i -> firstOfSubject.putIfAbsent(i.subject(), i));
        firstOfSubject.values().forEach(prompts::build);
        return new PreparedBenchmark(spec, items, prompts, malformed, warnings(spec, firstOfSubject.keySet(), pool));
    }

    /** Exemplars from the scored split itself, and subjects whose exemplars come from other subjects. */
    private static List<String> warnings(BenchmarkSpec spec, Set<String> subjects, List<Item> pool) {
        List<String> out = new ArrayList<>();
        if (spec.shots() > 0 && spec.shotsSplit().equals(spec.split())) {
            out.add("benchmark %s: the exemplars come from the scored split '%s' (an item's own excluded)"
                    .formatted(spec.name(), spec.split()));
        }
        Set<String> covered = new HashSet<>();
        pool.forEach(p -> covered.add(p.subject()));
        for (String subject : subjects) {
            if (spec.shots() > 0 && !subject.isEmpty() && !covered.contains(subject)) {
                out.add(("benchmark %s: the few-shot split '%s' has no item of subject '%s', whose prompts take "
                        + "other subjects' exemplars").formatted(spec.name(), spec.shotsSplit(), subject));
            }
        }
        return out;
    }
}

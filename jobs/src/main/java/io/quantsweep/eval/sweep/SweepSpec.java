package io.quantsweep.eval.sweep;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * A parsed and validated sweep file ({@code conf/sweeps/NAME.yaml}): which variants run which
 * benchmarks, against which baseline. {@link SweepFile} is the parser.
 *
 * @param name       the sweep's name
 * @param source     the file it was read from, for messages
 * @param baseline   the name of the variant others are compared with
 * @param variants   the variants, baseline included
 * @param benchmarks the benchmarks every variant runs
 * @param execution  concurrency, timeouts, retries, malformed-row limit
 */
public record SweepSpec(String name, String source, String baseline, List<VariantSpec> variants,
        List<BenchmarkSpec> benchmarks, ExecutionSpec execution) implements Serializable {
    public SweepSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(baseline, "baseline");
        variants = List.copyOf(variants);
        benchmarks = List.copyOf(benchmarks);
        Objects.requireNonNull(execution, "execution");
    }

    /** The baseline variant. */
    public VariantSpec baselineVariant() {
        return variants.stream().filter(v -> v.name().equals(baseline)).findFirst()
                .orElseThrow(() -> new IllegalStateException("baseline '" + baseline + "' is not a variant"));
    }
}

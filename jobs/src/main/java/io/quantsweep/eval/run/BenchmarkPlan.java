package io.quantsweep.eval.run;

import io.quantsweep.eval.sweep.BenchmarkSpec;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * A benchmark of the sweep ready to send: its settings and its items with their prompts, the same for
 * every variant.
 *
 * @param spec  what the sweep file says
 * @param items the items (for kld, the passages that have at least one cut), in file order
 */
public record BenchmarkPlan(BenchmarkSpec spec, List<WorkItem> items) implements Serializable {
    public BenchmarkPlan {
        Objects.requireNonNull(spec, "spec");
        items = List.copyOf(items);
    }

    /** Samples of {@code item}. */
    int samples(WorkItem item) {
        return item.samples(spec.samples());
    }

    /** Samples of every item together: what one variant is asked. */
    public long samples() {
        return items.stream().mapToLong(this::samples).sum();
    }
}

package io.quantsweep.plan;

import io.quantsweep.format.gguf.GgufSplit;
import java.util.Objects;
import java.util.Optional;

/**
 * How variants are laid out beyond their types.
 *
 * @param split gguf-split's shard limits, or empty for one file per variant (then without
 *     {@code split.*} keys)
 * @param imatrix the importance matrix the variants are quantized with, recorded in their KVs
 */
public record PlanOptions(Optional<GgufSplit.Options> split, Optional<ImatrixProvenance> imatrix) {

    /** One file per variant, no imatrix. */
    public static final PlanOptions DEFAULT = new PlanOptions(Optional.empty(), Optional.empty());

    public PlanOptions {
        Objects.requireNonNull(split, "split");
        Objects.requireNonNull(imatrix, "imatrix");
    }

    public PlanOptions withSplit(GgufSplit.Options options) {
        return new PlanOptions(Optional.of(options), imatrix);
    }

    public PlanOptions withImatrix(ImatrixProvenance provenance) {
        return new PlanOptions(split, Optional.of(provenance));
    }
}

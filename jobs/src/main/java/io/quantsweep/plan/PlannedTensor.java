package io.quantsweep.plan;

import io.quantsweep.arch.OutputTensor;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.recipe.TensorAssignment.Decision;
import java.io.Serializable;
import java.util.Objects;

/**
 * One tensor of a planned variant: what to read ({@link #tensor}, with its checkpoint sources), what
 * to write (its type) and where (shard and offsets), and why it has that type.
 *
 * @param tensor the output tensor and its checkpoint slices
 * @param type the type it is written in
 * @param chosen the type the deciding step picked before llama.cpp's fallback for rows its block does
 *     not divide ({@code attn_k_b}: Q4_K chosen, Q5_0 written)
 * @param decision which step of the recipe decided
 * @param decidedBy the rule's {@code file:line}, the base's label, or {@code "not quantized"}
 * @param shard the index of the output file that holds it (0 without a split)
 * @param offset its offset in that file's data section (a multiple of the alignment)
 * @param fileOffset its absolute position in that file
 */
public record PlannedTensor(OutputTensor tensor, GgmlType type, GgmlType chosen, Decision decision, String decidedBy,
                            int shard, long offset, long fileOffset) implements Serializable {
    private static final long serialVersionUID = 1L;

    public PlannedTensor {
        Objects.requireNonNull(tensor, "tensor");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(chosen, "chosen");
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(decidedBy, "decidedBy");
        if (shard < 0 || offset < 0 || fileOffset < offset) {
            throw new IllegalArgumentException("tensor '%s': shard %d, offset %d, file offset %d"
                    .formatted(tensor.name(), shard, offset, fileOffset));
        }
    }

    public String name() {
        return tensor.name();
    }

    /** Dimensions in GGUF order (a copy). */
    public long[] ne() {
        return tensor.ne();
    }

    public long elements() {
        return tensor.elementCount();
    }

    /** Bytes of its data in {@link #type}, without padding. */
    public long bytes() {
        return type.bytesFor(elements());
    }

    /** True when the row length forced llama.cpp's fallback type. */
    public boolean fellBack() {
        return chosen != type;
    }
}

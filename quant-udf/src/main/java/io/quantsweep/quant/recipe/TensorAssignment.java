package io.quantsweep.quant.recipe;

import io.quantsweep.quant.GgmlType;
import java.util.Objects;

/**
 * The type a recipe gives one tensor, and why.
 *
 * @param chosen the type the deciding step picked, before llama.cpp's fallback for rows its block
 *     does not divide
 * @param type the type the tensor is written in
 * @param decision which step decided
 * @param decidedBy the rule's or override's {@code file:line}, the base's label, or
 *     {@code "not quantized"}
 */
public record TensorAssignment(RecipeTensor tensor, GgmlType chosen, GgmlType type, Decision decision, String decidedBy) {

    /** Which step of the selection decided a tensor's type. */
    public enum Decision {
        /** Never quantized (1-D, a norm, the MoE router, a bias): kept in its input type. */
        KEPT,
        TOKEN_EMBEDDING_OVERRIDE,
        OUTPUT_OVERRIDE,
        /** A recipe rule. */
        RULE,
        /** The base mixture's rules or the pure type. */
        BASE
    }

    public TensorAssignment {
        Objects.requireNonNull(tensor, "tensor");
        Objects.requireNonNull(chosen, "chosen");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(decidedBy, "decidedBy");
    }

    public String name() {
        return tensor.name();
    }

    /** True when the row length forced llama.cpp's fallback ({@code attn_k_b}: Q4_K becomes Q5_0). */
    public boolean fellBack() {
        return chosen != type;
    }

    /** Bytes of the tensor's data in {@link #type}, without GGUF padding. */
    public long bytes() {
        return type.bytesFor(tensor.elements());
    }
}

package io.quantsweep.quant.recipe;

import java.util.Objects;

/**
 * A recipe that cannot be loaded, or cannot be applied to a model, with the place that caused it:
 * {@code "conf/recipes/DQ3_K_M.yaml:31: unknown ggml type 'Q7_K'"}. Tests assert the {@link Reason}.
 */
public final class RecipeException extends RuntimeException {

    /** Why the recipe was refused. */
    public enum Reason {
        /** The file cannot be read. */
        IO,
        /** Not YAML, more than one document, or a node of the wrong kind (a list where a name belongs). */
        BAD_YAML,
        UNKNOWN_KEY,
        MISSING_KEY,
        DUPLICATE_KEY,
        /** Not the name of a ggml type. */
        UNKNOWN_TYPE,
        /** A ggml type QuantSweep has no codec for, so it cannot write it. */
        UNSUPPORTED_TYPE,
        /** {@code base} is neither a llama.cpp mixture nor {@code pure:TYPE}. */
        UNKNOWN_BASE,
        BAD_REGEX,
        BAD_LAYERS,
        /** Rules on a base whose default type is not block-quantized (llama-quantize ignores them there). */
        RULES_NEED_QUANTIZED_BASE,
        /** A type a rule or an override names does not divide the row length of a tensor it decides. */
        ROW_NOT_DIVISIBLE,
        /** A base type does not divide a tensor's row and llama.cpp defines no fallback for it. */
        NO_FALLBACK,
        /** A MoE tensor whose {@code blk.N.} layer is missing or outside {@code [0, n_layer)}. */
        BAD_TENSOR_LAYER,
        /** {@link Recipes#resolve} found no mixture, built-in recipe, type or file of that name. */
        UNKNOWN_VARIANT
    }

    private final Reason reason;
    private final SourceLine at;

    public RecipeException(Reason reason, SourceLine at, String detail) {
        this(reason, at, detail, null);
    }

    public RecipeException(Reason reason, SourceLine at, String detail, Throwable cause) {
        super(at + ": " + detail, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.at = Objects.requireNonNull(at, "at");
    }

    public Reason reason() {
        return reason;
    }

    /** The file (or built-in name) and line the refusal points at. */
    public SourceLine at() {
        return at;
    }
}

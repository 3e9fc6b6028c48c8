package io.quantsweep.quant.recipe;

import io.quantsweep.quant.Codecs;
import io.quantsweep.quant.GgmlType;
import java.util.Objects;

/**
 * One type for every quantizable tensor, {@code output} and {@code token_embd} included, as
 * llama-quantize's current {@code --pure}: no mixture rules, but a row the type's block does not
 * divide still takes llama.cpp's fallback type ({@code attn_k_b} under {@code pure:Q4_K} is Q5_0).
 */
public record PureType(GgmlType type) implements RecipeBase {

    /** The prefix that asks for a pure variant explicitly: {@code pure:Q4_K}. */
    public static final String PREFIX = "pure:";

    public PureType {
        Objects.requireNonNull(type, "type");
        if (!Codecs.supported().contains(type)) {
            throw new RecipeException(RecipeException.Reason.UNSUPPORTED_TYPE, SourceLine.of(PREFIX + type),
                    "no codec for ggml type %s; supported: %s".formatted(type, Codecs.supported()));
        }
    }

    @Override
    public GgmlType defaultType() {
        return type;
    }

    @Override
    public String label() {
        return PREFIX + type;
    }
}

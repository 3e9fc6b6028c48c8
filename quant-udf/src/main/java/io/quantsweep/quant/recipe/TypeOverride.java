package io.quantsweep.quant.recipe;

import io.quantsweep.quant.GgmlType;

/**
 * A type for {@code output.weight} or {@code token_embd.weight} that bypasses the base and the
 * rules, as llama-quantize's {@code --output-tensor-type} / {@code --token-embedding-type}.
 */
public record TypeOverride(GgmlType type, SourceLine at) {

    public TypeOverride {
        Recipe.requireCodec(type, at);
    }
}

package io.quantsweep.quant.recipe;

import io.quantsweep.quant.GgmlType;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One recipe rule: tensors whose name contains a match of {@code tensor} (searched, as llama.cpp's
 * {@code std::regex_search}; anchor with {@code ^...$} for a whole-name match) and whose layer is in
 * {@code layers} get {@code type}. Rules are tried in order and the first match decides.
 */
public record Rule(Pattern tensor, LayerSet layers, GgmlType type, SourceLine at) {

    public Rule {
        Objects.requireNonNull(tensor, "tensor");
        Objects.requireNonNull(layers, "layers");
        Recipe.requireCodec(type, at);
    }

    public boolean matches(RecipeTensor t) {
        return layers.contains(t.layer()) && tensor.matcher(t.name()).find();
    }
}

package io.quantsweep.quant.recipe;

import io.quantsweep.quant.GgmlType;

/**
 * What a recipe starts from: one of llama.cpp's named mixtures ({@link Mixture}, whose counter- and
 * layer-based rules live in code) or a single type for every quantizable tensor ({@link PureType}).
 */
public sealed interface RecipeBase permits Mixture, PureType {

    /** The type a quantizable tensor gets before any rule (llama.cpp's {@code default_type}). */
    GgmlType defaultType();

    /** How {@link Recipes#resolve} and recipe files name it: {@code Q4_K_M}, {@code pure:Q4_K}. */
    String label();
}

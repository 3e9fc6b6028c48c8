package io.quantsweep.plan;

import io.quantsweep.quant.recipe.Recipe;
import io.quantsweep.quant.recipe.Recipes;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;

/**
 * Several variants of one model, planned from one mapping: what a sweep quantizes from one read of the
 * weights. Variant names are unique, and so are their output file names.
 */
public record ModelPlan(String model, List<VariantPlan> variants) implements Serializable {
    private static final long serialVersionUID = 1L;

    public ModelPlan {
        Objects.requireNonNull(model, "model");
        variants = List.copyOf(variants);
        Set<String> names = new HashSet<>();
        Set<String> files = new HashSet<>();
        for (VariantPlan v : variants) {
            if (!names.add(v.variant())) {
                throw new IllegalArgumentException("variant " + v.variant() + " is planned twice");
            }
            for (String f : v.fileNames()) {
                if (!files.add(f)) {
                    throw new IllegalArgumentException("variant " + v.variant() + " writes '" + f
                            + "', which another variant also writes");
                }
            }
        }
    }

    /**
     * Plans each named variant ({@link Recipes#resolve}) on {@code input}.
     *
     * @throws io.quantsweep.quant.recipe.RecipeException for an unknown variant or a recipe that cannot type a tensor
     */
    public static ModelPlan plan(ModelInput input, List<String> variants, PlanOptions options) {
        List<VariantPlan> plans = new ArrayList<>(variants.size());
        Map<String, String> namedBy = new HashMap<>();
        for (String v : variants) {
            Recipe recipe = Recipes.resolve(v);
            String earlier = namedBy.putIfAbsent(recipe.name(), v);
            if (earlier != null) {
                // an alias (Q4_K) and its mixture (Q4_K_M) are one variant
                throw new IllegalArgumentException("variants '%s' and '%s' are both %s".formatted(earlier, v, recipe.name()));
            }
            plans.add(VariantPlan.plan(input, recipe, options));
        }
        return new ModelPlan(input.name(), plans);
    }

    /** The variant called {@code name}. */
    public VariantPlan variant(String name) {
        for (VariantPlan v : variants) {
            if (v.variant().equals(name)) {
                return v;
            }
        }
        throw new NoSuchElementException("no variant " + name + " in the plan of " + model);
    }
}

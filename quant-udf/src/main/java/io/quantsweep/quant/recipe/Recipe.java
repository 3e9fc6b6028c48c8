package io.quantsweep.quant.recipe;

import io.quantsweep.quant.Codecs;
import io.quantsweep.quant.GgmlType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * A quantization recipe: which ggml type each GGUF tensor gets. Selection per tensor, as current
 * llama-quantize ({@code llama_tensor_get_type}):
 * <ol>
 *   <li>a tensor llama.cpp never quantizes ({@link RecipeTensor#quantizable()}) keeps its type;</li>
 *   <li>{@code token_embd.weight} / {@code output.weight} take their override, if any;</li>
 *   <li>a base whose default type is not block-quantized ({@code pure:F16}) gives that type;</li>
 *   <li>the first matching {@link Rule} decides;</li>
 *   <li>under a mixture, tied embeddings (no {@code output.weight}) take the output override, if any,
 *       as llama.cpp gives them the output tensor's type;</li>
 *   <li>otherwise the base decides: a {@link Mixture}'s rules or the {@link PureType}, and a row
 *       its block does not divide takes llama.cpp's fallback type.</li>
 * </ol>
 *
 * <p>Rules behave as llama-quantize's {@code --tensor-type} (first match wins, the mixture's rules
 * and counters are skipped for that tensor) with one deliberate difference: a rule or override type
 * whose block does not divide a row it decides is refused, where llama-quantize silently substitutes
 * its fallback type.
 *
 * @param name the variant name ({@code Q4_K_M}, {@code DQ3_K_M}, {@code pure:Q4_K})
 * @param source where it was defined (a recipe file, or the built-in base's label)
 * @param description free text from the recipe file, empty if none
 */
public record Recipe(String name, SourceLine source, String description, RecipeBase base, List<Rule> rules,
                     Optional<TypeOverride> tokenEmbedding, Optional<TypeOverride> output) {

    public Recipe {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(tokenEmbedding, "tokenEmbedding");
        Objects.requireNonNull(output, "output");
        rules = List.copyOf(rules);
        if (!rules.isEmpty() && !base.defaultType().quantized()) {
            throw new RecipeException(RecipeException.Reason.RULES_NEED_QUANTIZED_BASE, rules.get(0).at(),
                    "rules need a block-quantized base; %s gives every tensor %s (llama-quantize ignores rules there)"
                            .formatted(base.label(), base.defaultType()));
        }
    }

    /** A base on its own: a llama.cpp mixture or a pure type, named by its label. */
    public static Recipe of(RecipeBase base) {
        return new Recipe(base.label(), SourceLine.of(base.label()), "", base, List.of(), Optional.empty(),
                Optional.empty());
    }

    /**
     * The type of every tensor of a model.
     *
     * @param tensors every tensor of the GGUF, in any order (the plan is in llama.cpp's order)
     * @param importance whether the tensors are quantized with an importance matrix, which some
     *     mixtures' rules read
     * @throws RecipeException if a rule or override type does not divide a row it decides
     *     ({@code ROW_NOT_DIVISIBLE}, at the rule's line), a base type has no fallback for a row
     *     ({@code NO_FALLBACK}), or a MoE FFN tensor has no valid layer ({@code BAD_TENSOR_LAYER})
     * @throws IllegalArgumentException if two tensors share a name
     */
    public RecipePlan plan(List<RecipeTensor> tensors, ModelFacts facts, boolean importance) {
        Objects.requireNonNull(facts, "facts");
        List<RecipeTensor> ordered = new ArrayList<>(tensors);
        ordered.sort(RecipeTensor.LLAMA_ORDER);
        Set<String> names = new HashSet<>();
        for (RecipeTensor t : ordered) {
            if (!names.add(t.name())) {
                throw new IllegalArgumentException("recipe %s: tensor '%s' appears twice".formatted(name, t.name()));
            }
        }
        TypeSelector selector = new TypeSelector(this, ordered, facts, importance);
        List<TensorAssignment> out = new ArrayList<>(ordered.size());
        for (RecipeTensor t : ordered) {
            out.add(selector.select(t));
        }
        return new RecipePlan(this, out);
    }

    /** Refuses a type QuantSweep cannot write, at the place that names it. */
    static GgmlType requireCodec(GgmlType type, SourceLine at) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(at, "at");
        if (!Codecs.supported().contains(type)) {
            throw new RecipeException(RecipeException.Reason.UNSUPPORTED_TYPE, at,
                    "no codec for ggml type %s; supported: %s".formatted(type, Codecs.supported()));
        }
        return type;
    }
}

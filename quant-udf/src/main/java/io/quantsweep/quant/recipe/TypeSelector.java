package io.quantsweep.quant.recipe;

import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.recipe.RecipeException.Reason;
import io.quantsweep.quant.recipe.TensorAssignment.Decision;
import java.util.List;
import java.util.Optional;

/** One pass of a {@link Recipe} over one model's tensors, in llama.cpp's order; see {@link Recipe}. */
final class TypeSelector {
    private final Recipe recipe;
    private final Optional<MixtureRules> mixtureRules;
    private final boolean tied;

    TypeSelector(Recipe recipe, List<RecipeTensor> tensors, ModelFacts facts, boolean importance) {
        this.recipe = recipe;
        this.tied = tensors.stream().noneMatch(t -> t.name().equals("output.weight"));
        if (recipe.base() instanceof Mixture mixture) {
            int nAttentionWv = (int) tensors.stream().filter(t -> TensorCategory.of(t.name()).attnVLike()).count();
            mixtureRules = Optional.of(new MixtureRules(mixture, facts, tied, importance, nAttentionWv, recipe.source()));
        } else {
            mixtureRules = Optional.empty();
        }
    }

    TensorAssignment select(RecipeTensor t) {
        if (!t.quantizable()) {
            return new TensorAssignment(t, t.type(), t.type(), Decision.KEPT, "not quantized");
        }
        TensorCategory category = TensorCategory.of(t.name());
        if (category == TensorCategory.TOKEN_EMBD && recipe.tokenEmbedding().isPresent()) {
            return decided(t, recipe.tokenEmbedding().get().type(), recipe.tokenEmbedding().get().at(),
                    Decision.TOKEN_EMBEDDING_OVERRIDE);
        }
        if (category == TensorCategory.OUTPUT && recipe.output().isPresent()) {
            return decided(t, recipe.output().get().type(), recipe.output().get().at(), Decision.OUTPUT_OVERRIDE);
        }
        GgmlType base = recipe.base().defaultType();
        if (!base.quantized()) {
            return new TensorAssignment(t, base, base, Decision.BASE, recipe.base().label());
        }
        for (Rule rule : recipe.rules()) {
            if (rule.matches(t)) {
                return decided(t, rule.type(), rule.at(), Decision.RULE);
            }
        }
        // a mixture gives tied embeddings the output tensor's type, and so the output override
        if (category == TensorCategory.TOKEN_EMBD && tied && mixtureRules.isPresent() && recipe.output().isPresent()) {
            return decided(t, recipe.output().get().type(), recipe.output().get().at(), Decision.OUTPUT_OVERRIDE);
        }
        GgmlType chosen = mixtureRules.isPresent() ? mixtureRules.get().choose(t, category) : base;
        return new TensorAssignment(t, chosen, fallback(t, chosen), Decision.BASE, recipe.base().label());
    }

    private static TensorAssignment decided(RecipeTensor t, GgmlType type, SourceLine at, Decision decision) {
        if (t.rowLength() % type.blockSize() != 0) {
            throw new RecipeException(Reason.ROW_NOT_DIVISIBLE, at,
                    "%s for tensor '%s': its rows of %d are not a multiple of the block size %d; give it a narrower rule first"
                            .formatted(type, t.name(), t.rowLength(), type.blockSize()));
        }
        return new TensorAssignment(t, type, type, decision, at.toString());
    }

    /**
     * llama.cpp's {@code tensor_type_fallback} (current code) for a row the block of {@code type} does
     * not divide: a type of 32 with about the same bits, or F16 if even 32 does not divide the row.
     */
    private GgmlType fallback(RecipeTensor t, GgmlType type) {
        long row = t.rowLength();
        if (row % type.blockSize() == 0) {
            return type;
        }
        GgmlType fallback = switch (type) {
            case IQ1_S, IQ1_M, IQ2_XXS, IQ2_XS, IQ2_S, IQ3_XXS, IQ3_S, IQ4_XS -> GgmlType.IQ4_NL;
            case Q2_K, Q3_K, TQ1_0, TQ2_0 -> GgmlType.Q4_0;
            case Q4_K -> GgmlType.Q5_0;
            case Q5_K -> GgmlType.Q5_1;
            case Q6_K -> GgmlType.Q8_0;
            default -> throw new RecipeException(Reason.NO_FALLBACK, recipe.source(),
                    "%s for tensor '%s': its rows of %d are not a multiple of the block size %d and llama.cpp defines no fallback for %s"
                            .formatted(type, t.name(), row, type.blockSize(), type));
        };
        return row % fallback.blockSize() == 0 ? fallback : GgmlType.F16;
    }
}

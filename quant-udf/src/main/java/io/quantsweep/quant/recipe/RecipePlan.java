package io.quantsweep.quant.recipe;

import io.quantsweep.quant.GgmlType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A recipe applied to one model: a type per tensor, in llama-quantize's processing order (which is
 * also the order it writes the tensors in), with totals.
 */
public record RecipePlan(Recipe recipe, List<TensorAssignment> tensors) {

    public RecipePlan {
        Objects.requireNonNull(recipe, "recipe");
        tensors = List.copyOf(tensors);
    }

    /** The assignment of the tensor called {@code name}. */
    public TensorAssignment assignment(String name) {
        for (TensorAssignment a : tensors) {
            if (a.name().equals(name)) {
                return a;
            }
        }
        throw new IllegalArgumentException("recipe %s: no tensor '%s' in the plan".formatted(recipe.name(), name));
    }

    /**
     * The recipe's rules and overrides that decide no tensor of this model, by place: a pattern with a
     * typo, layers the model does not have, or a rule an earlier one hides. Such a rule is easy to miss:
     * the file still comes out, with other types.
     */
    public List<SourceLine> idleRules() {
        Set<String> deciding = new HashSet<>();
        for (TensorAssignment a : tensors) {
            deciding.add(a.decidedBy());
        }
        List<SourceLine> rules = new ArrayList<>();
        recipe.tokenEmbedding().ifPresent(o -> rules.add(o.at()));
        recipe.output().ifPresent(o -> rules.add(o.at()));
        recipe.rules().forEach(r -> rules.add(r.at()));
        return rules.stream().filter(at -> !deciding.contains(at.toString())).toList();
    }

    /** Tensors per output type, as llama.cpp's loader prints them ({@code type q4_K: 606 tensors}). */
    public Map<GgmlType, Integer> histogram() {
        Map<GgmlType, Integer> counts = new EnumMap<>(GgmlType.class);
        for (TensorAssignment a : tensors) {
            counts.merge(a.type(), 1, Integer::sum);
        }
        return Collections.unmodifiableMap(counts);
    }

    /** Bytes of all tensor data, without GGUF metadata and padding. */
    public long totalBytes() {
        long sum = 0;
        for (TensorAssignment a : tensors) {
            sum = Math.addExact(sum, a.bytes());
        }
        return sum;
    }

    /** Elements of all tensors (DeepSeek-V3: 671,026,419,200). */
    public long totalElements() {
        long sum = 0;
        for (TensorAssignment a : tensors) {
            sum = Math.addExact(sum, a.tensor().elements());
        }
        return sum;
    }

    /** Bits per weight as llama-quantize prints it: data bytes × 8 / elements. */
    public double bitsPerWeight() {
        return totalBytes() * 8.0 / totalElements();
    }
}

package io.quantsweep.quant.recipe;

import io.quantsweep.quant.GgmlType;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

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

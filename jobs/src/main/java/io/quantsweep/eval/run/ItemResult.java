package io.quantsweep.eval.run;

import java.util.List;
import java.util.Objects;

/**
 * One item's samples as the summary reads them.
 *
 * @param variant   the variant
 * @param benchmark the benchmark
 * @param itemId    the item
 * @param correct   right or wrong per sample, in sample order
 * @param predicted the answer read from each sample, in sample order
 */
record ItemResult(String variant, String benchmark, String itemId, List<Boolean> correct, List<String> predicted) {
    ItemResult {
        Objects.requireNonNull(variant, "variant");
        Objects.requireNonNull(benchmark, "benchmark");
        Objects.requireNonNull(itemId, "itemId");
        correct = List.copyOf(correct);
        predicted = List.copyOf(predicted);
        if (correct.isEmpty() || correct.size() != predicted.size()) {
            throw new IllegalArgumentException("item %s of %s/%s needs one verdict and one answer per sample, got %d and %d"
                    .formatted(itemId, variant, benchmark, correct.size(), predicted.size()));
        }
    }
}

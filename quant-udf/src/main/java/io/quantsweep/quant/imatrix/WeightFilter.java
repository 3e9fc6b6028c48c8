package io.quantsweep.quant.imatrix;

import java.util.List;

/**
 * llama-quantize's {@code --include-weights S} / {@code --exclude-weights S}: keep only the entries
 * whose name contains one of the {@code include} substrings, or drop those that contain one of the
 * {@code exclude} substrings. The two cannot be combined, as in llama-quantize. A tensor whose entry is
 * filtered out is quantized as if the file had no entry for it.
 */
public record WeightFilter(List<String> include, List<String> exclude) {

    /** Keeps every entry. */
    public static final WeightFilter NONE = new WeightFilter(List.of(), List.of());

    public WeightFilter {
        include = List.copyOf(include);
        exclude = List.copyOf(exclude);
        if (!include.isEmpty() && !exclude.isEmpty()) {
            throw new IllegalArgumentException("include-weights %s and exclude-weights %s cannot be combined"
                    .formatted(include, exclude));
        }
        for (String s : include) {
            requireNonEmpty(s, "include");
        }
        for (String s : exclude) {
            requireNonEmpty(s, "exclude");
        }
    }

    private static void requireNonEmpty(String s, String which) {
        if (s.isEmpty()) {
            throw new IllegalArgumentException("an empty " + which + "-weights substring would match every entry");
        }
    }

    public static WeightFilter include(String... substrings) {
        return new WeightFilter(List.of(substrings), List.of());
    }

    public static WeightFilter exclude(String... substrings) {
        return new WeightFilter(List.of(), List.of(substrings));
    }

    /** Whether the entry called {@code name} survives the filter. */
    public boolean keeps(String name) {
        if (!include.isEmpty()) {
            return include.stream().anyMatch(name::contains);
        }
        return exclude.stream().noneMatch(name::contains);
    }
}

package io.quantsweep.quant.imatrix;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The warnings of one model's lookups in an importance matrix, in the spirit of llama-quantize's
 * "did not find weights" and "partial data" lines, but gathered: the tensors quantized without weights
 * (no entry, or {@code token_embd.weight} with an ignored entry), the experts that saw no calibration
 * tokens and fall back to unit weights, and the entries no tensor asked for (a sign of an imatrix made
 * for another model). Names keep the order of the lookups (the model's tensor order); {@link #summary()}
 * prints them, listing at most {@value #LISTED} names per line.
 */
public record ImportanceReport(int entries, int tensors, List<String> withoutEntry, List<String> ignored,
                               Map<String, List<Integer>> unseenMatrices, List<String> unusedEntries) {

    /** Names listed per summary line before "and N more". */
    public static final int LISTED = 8;

    public ImportanceReport {
        withoutEntry = List.copyOf(withoutEntry);
        ignored = List.copyOf(ignored);
        Map<String, List<Integer>> unseen = new LinkedHashMap<>();
        unseenMatrices.forEach((k, v) -> unseen.put(k, List.copyOf(v)));
        unseenMatrices = Collections.unmodifiableMap(unseen);
        unusedEntries = List.copyOf(unusedEntries);
    }

    /** The report of {@code lookups}, each a {@link ImportanceMatrix#forTensor} result of {@code matrix}. */
    public static ImportanceReport of(ImportanceMatrix matrix, Collection<TensorImportance> lookups) {
        List<String> without = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        Map<String, List<Integer>> unseen = new LinkedHashMap<>();
        Set<String> asked = new HashSet<>();
        for (TensorImportance t : lookups) {
            asked.add(t.tensor());
            switch (t.status()) {
                case NO_ENTRY -> without.add(t.tensor());
                case IGNORED_SIZE -> ignored.add(t.tensor());
                case WEIGHTED -> {
                    int[] u = t.unseenMatrices();
                    if (u.length > 0) {
                        unseen.put(t.tensor(), Arrays.stream(u).boxed().toList());
                    }
                }
            }
        }
        List<String> unused = matrix.names().stream().filter(n -> !asked.contains(n)).toList();
        return new ImportanceReport(matrix.size(), lookups.size(), without, ignored, unseen, unused);
    }

    /** Experts (matrices) that fell back to unit weights, over all tensors. */
    public int unseenMatrixCount() {
        return unseenMatrices.values().stream().mapToInt(List::size).sum();
    }

    public boolean hasWarnings() {
        return !withoutEntry.isEmpty() || !ignored.isEmpty() || !unseenMatrices.isEmpty() || !unusedEntries.isEmpty();
    }

    /** One line of totals, then one indented line per kind of warning. */
    public String summary() {
        StringBuilder s = new StringBuilder("importance matrix: %d %s, %d %s looked up"
                .formatted(entries, plural(entries, "entry", "entries"), tensors, plural(tensors, "tensor", "tensors")));
        if (!withoutEntry.isEmpty()) {
            s.append("\n  %d %s no entry, quantized without weights: %s".formatted(withoutEntry.size(),
                    plural(withoutEntry.size(), "tensor has", "tensors have"), list(withoutEntry)));
        }
        if (!unseenMatrices.isEmpty()) {
            int n = unseenMatrixCount();
            List<String> where = new ArrayList<>();
            unseenMatrices.forEach((tensor, experts) -> where.add(tensor + " " + experts));
            s.append("\n  %d %s in %d %s saw no calibration tokens, unit weights used: %s".formatted(n,
                    plural(n, "expert", "experts"), unseenMatrices.size(), plural(unseenMatrices.size(), "tensor", "tensors"),
                    list(where)));
        }
        if (!ignored.isEmpty()) {
            s.append("\n  %d %s of the wrong size ignored, as llama-quantize does: %s".formatted(ignored.size(),
                    plural(ignored.size(), "entry", "entries"), list(ignored)));
        }
        if (!unusedEntries.isEmpty()) {
            s.append("\n  %d %s no tensor: %s".formatted(unusedEntries.size(),
                    plural(unusedEntries.size(), "entry matches", "entries match"), list(unusedEntries)));
        }
        return s.toString();
    }

    private static String plural(int n, String one, String many) {
        return n == 1 ? one : many;
    }

    private static String list(List<String> names) {
        if (names.size() <= LISTED) {
            return String.join(", ", names);
        }
        return String.join(", ", names.subList(0, LISTED)) + " and " + (names.size() - LISTED) + " more";
    }
}

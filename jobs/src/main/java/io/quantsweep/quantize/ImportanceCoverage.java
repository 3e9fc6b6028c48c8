package io.quantsweep.quantize;

import io.quantsweep.quant.imatrix.ImportanceMatrix;
import io.quantsweep.quant.imatrix.TensorImportance;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * How an importance matrix meets the tensors a run quantizes, as llama-quantize uses it: a tensor with
 * an entry is quantized with weights, and those of its experts or heads that the calibration never
 * reached with unit weights; a tensor without an entry by the codecs' reference path; an entry that
 * names no such tensor is not used.
 *
 * @param weighted tensors quantized with weights
 * @param unreached expert or head slices of those tensors that get unit weights
 * @param withoutEntry tensors quantized without weights, in the plan's order
 * @param unused entries that name no tensor this run quantizes, by name
 */
public record ImportanceCoverage(int weighted, int unreached, List<String> withoutEntry, List<String> unused) {
    private static final int NAMED = 3;

    public ImportanceCoverage {
        withoutEntry = List.copyOf(withoutEntry);
        unused = List.copyOf(unused);
    }

    /** The coverage of {@code matrix} over the lookups of the tensors a run quantizes. */
    static ImportanceCoverage of(ImportanceMatrix matrix, Collection<TensorImportance> lookups) {
        int weighted = 0;
        int unreached = 0;
        List<String> without = new ArrayList<>();
        Set<String> unused = new TreeSet<>(matrix.names());
        for (TensorImportance ti : lookups) {
            unused.remove(ti.tensor());
            if (ti.hasWeights()) {
                weighted++;
                unreached += ti.unseenMatrices().length;
            } else {
                without.add(ti.tensor());
            }
        }
        return new ImportanceCoverage(weighted, unreached, without, List.copyOf(unused));
    }

    /** One line for the run's log, naming the first few tensors and entries of each kind. */
    public String describe() {
        return ("%d tensors quantized with weights (unit weights for %d of their matrices, which the calibration never "
                + "reached), %d without an entry by the reference path%s; %d entries name no tensor of this run%s")
                .formatted(weighted, unreached, withoutEntry.size(), named(withoutEntry), unused.size(), named(unused));
    }

    private static String named(List<String> names) {
        return names.isEmpty() ? "" : " (" + firstNames(names) + ")";
    }

    /** The first few of {@code names}, and how many there are when that is more: a line, not a dump. */
    static String firstNames(List<String> names) {
        return String.join(", ", names.subList(0, Math.min(NAMED, names.size())))
                + (names.size() > NAMED ? ", … (%d in all)".formatted(names.size()) : "");
    }
}

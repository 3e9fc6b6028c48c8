package io.quantsweep.quantize;

import io.quantsweep.arch.OutputTensor;
import io.quantsweep.plan.VariantPlan;
import io.quantsweep.quant.GgmlType;
import io.quantsweep.quant.imatrix.ImportanceMatrix;
import io.quantsweep.quant.imatrix.ImportanceMatrixException;
import io.quantsweep.quant.imatrix.ImportanceMatrixException.Reason;
import io.quantsweep.quant.imatrix.TensorImportance;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    /**
     * Every tensor that some variant changes from the converted file's type, looked up in {@code matrix}
     * as llama-quantize looks it up (a tensor no variant changes is copied, not looked up), by name in
     * tensor order.
     *
     * @param inputType the type of the converted file llama-quantize would read
     * @throws ImportanceMatrixException for an entry of the wrong size
     */
    public static Map<String, TensorImportance> lookUp(List<VariantPlan> variants, List<OutputTensor> tensors,
            GgmlType inputType, ImportanceMatrix matrix) {
        List<Map<String, GgmlType>> types = new ArrayList<>();
        for (VariantPlan v : variants) {
            Map<String, GgmlType> m = new HashMap<>();
            v.tensors().forEach(t -> m.put(t.name(), t.type()));
            types.add(m);
        }
        Map<String, TensorImportance> lookups = new LinkedHashMap<>();
        for (OutputTensor t : tensors) {
            GgmlType convertedAs = t.alwaysF32() ? GgmlType.F32 : inputType;
            if (types.stream().anyMatch(m -> m.get(t.name()) != convertedAs)) {
                lookups.put(t.name(), matrix.forTensor(t.name(), Math.toIntExact(t.ne()[0]),
                        t.ne().length >= 3 ? Math.toIntExact(t.ne()[2]) : 1));
            }
        }
        return lookups;
    }

    /** The coverage of {@code matrix} over the lookups of the tensors a run quantizes. */
    public static ImportanceCoverage of(ImportanceMatrix matrix, Collection<TensorImportance> lookups) {
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

    /**
     * Refuses a matrix none of whose entries names a tensor the run quantizes, as one made for another
     * model: a run "with" it would weigh nothing, yet record it in every file's KVs.
     *
     * @throws ImportanceMatrixException NO_TENSOR_NAMED, whose message leaves the file to
     *     {@link ImportanceMatrixException#in}
     */
    public void requireUsable() {
        if (weighted == 0 && !withoutEntry.isEmpty()) {
            throw new ImportanceMatrixException(Reason.NO_TENSOR_NAMED, ("none of its entries names a tensor this run "
                    + "quantizes (it has %s; the run quantizes %s): an importance matrix of another model?")
                    .formatted(firstNames(unused), firstNames(withoutEntry)));
        }
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

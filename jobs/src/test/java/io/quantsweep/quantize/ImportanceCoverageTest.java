package io.quantsweep.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.quantsweep.quant.imatrix.ImportanceMatrix;
import io.quantsweep.quant.imatrix.ImportanceMatrix.Entry;
import io.quantsweep.quant.imatrix.ImportanceMatrixException;
import io.quantsweep.quant.imatrix.TensorImportance;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a run says of an importance matrix's lookups: which tensors get weights, which go without, which entries go unused. */
class ImportanceCoverageTest {
    private static final String DOWN_EXPS = "blk.3.ffn_down_exps.weight";
    private static final String UP_EXPS = "blk.4.ffn_up_exps.weight";
    private static final String K_B = "blk.3.attn_k_b.weight";
    private static final String Q_A = "blk.3.attn_q_a.weight";

    @Test
    void countsUnitWeightedExpertsAndNamesTensorsWithoutWeightsAndUnusedEntries() {
        ImportanceMatrix m = ImportanceMatrix.of(List.of(
                Entry.fromSums(DOWN_EXPS, new float[32], new float[] {3, 5, 0, 2}),
                Entry.fromSums(UP_EXPS, new float[32], new float[] {0, 1, 0, 0}),
                Entry.fromSums(ImportanceMatrix.TOKEN_EMBD, new float[4], new float[] {1}),
                Entry.fromSums("blk.9.attn_q_a.weight", new float[8], new float[] {1})));
        // token_embd's entry has the wrong size: ignored, as llama-quantize does, so it goes without weights
        ImportanceCoverage c = ImportanceCoverage.of(m, List.of(
                m.forTensor(DOWN_EXPS, 8, 4),
                m.forTensor(UP_EXPS, 8, 4),
                m.forTensor(ImportanceMatrix.TOKEN_EMBD, 8, 1),
                m.forTensor("output.weight", 8, 1),
                m.forTensor("blk.0.attn_q_a.weight", 8, 1)));
        assertEquals(2, c.weighted());
        assertEquals(4, c.unreached());
        assertEquals(List.of(ImportanceMatrix.TOKEN_EMBD, "output.weight", "blk.0.attn_q_a.weight"), c.withoutEntry());
        assertEquals(List.of("blk.9.attn_q_a.weight"), c.unused());
        assertEquals("2 tensors quantized with weights (unit weights for 4 of their matrices, which the calibration never "
                + "reached), 3 without an entry by the reference path (token_embd.weight, output.weight, blk.0.attn_q_a.weight); "
                + "1 entries name no tensor of this run (blk.9.attn_q_a.weight)", c.describe());
    }

    @Test
    void describeNamesAFewTensorsAndCountsThemAll() {
        ImportanceMatrix empty = ImportanceMatrix.of(List.of());
        List<TensorImportance> lookups = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            lookups.add(empty.forTensor("blk." + i + ".attn_q_a.weight", 8, 1));
        }
        ImportanceCoverage none = ImportanceCoverage.of(empty, lookups);
        assertEquals("0 tensors quantized with weights (unit weights for 0 of their matrices, which the calibration never "
                + "reached), 11 without an entry by the reference path (blk.0.attn_q_a.weight, blk.1.attn_q_a.weight, "
                + "blk.2.attn_q_a.weight, … (11 in all)); 0 entries name no tensor of this run", none.describe());
        // the file is the caller's to name
        ImportanceMatrixException e = assertThrows(ImportanceMatrixException.class, none::requireUsable);
        assertEquals(ImportanceMatrixException.Reason.NO_TENSOR_NAMED, e.reason());
        assertEquals("m.gguf: none of its entries names a tensor this run quantizes (it has ; the run quantizes "
                + "blk.0.attn_q_a.weight, blk.1.attn_q_a.weight, blk.2.attn_q_a.weight, … (11 in all)): an importance "
                + "matrix of another model?", e.in("m.gguf").getMessage());
    }

    @Test
    void anEntryNoLookupAskedForIsUnused() {
        ImportanceMatrix m = ImportanceMatrix.of(List.of(
                Entry.fromSums(DOWN_EXPS, new float[32], new float[] {3, 5, 0, 2}),
                Entry.fromSums(K_B, new float[12], new float[] {7}),
                Entry.fromSums(Q_A, new float[8], new float[] {4})));
        ImportanceCoverage partial = ImportanceCoverage.of(m, List.of(m.forTensor(Q_A, 8, 1), m.forTensor(K_B, 3, 4)));
        assertEquals(List.of(DOWN_EXPS), partial.unused());
        partial.requireUsable();
        ImportanceMatrix dense = ImportanceMatrix.of(List.of(m.entry(K_B).orElseThrow(), m.entry(Q_A).orElseThrow()));
        ImportanceCoverage clean = ImportanceCoverage.of(dense, List.of(dense.forTensor(Q_A, 8, 1), dense.forTensor(K_B, 3, 4)));
        assertEquals(new ImportanceCoverage(2, 0, List.of(), List.of()), clean);
    }
}

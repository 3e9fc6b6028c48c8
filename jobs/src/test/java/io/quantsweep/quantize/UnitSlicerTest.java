package io.quantsweep.quantize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quantsweep.arch.OutputTensor;
import io.quantsweep.arch.SourceSlice;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Units cover every row once, in order, within the budget, and never mix parts of two slices. */
class UnitSlicerTest {
    /** A norm, a 2-D matrix of 300 rows of 256, and 6 stacked experts of 100 rows of 128. */
    static final List<OutputTensor> TENSORS = List.of(
            new OutputTensor("blk.0.attn_norm.weight", new long[] {256}, true, List.of(SourceSlice.whole("n", 256))),
            new OutputTensor("blk.0.attn_q_a.weight", new long[] {256, 300}, false, List.of(SourceSlice.whole("q", 300, 256))),
            new OutputTensor("blk.1.ffn_down_exps.weight", new long[] {128, 100, 6}, false, experts()));

    private static List<SourceSlice> experts() {
        List<SourceSlice> s = new ArrayList<>();
        for (int e = 0; e < 6; e++) {
            s.add(SourceSlice.whole("e" + e, 100, 128));
        }
        return s;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 1000, 128 * 4 * 7, 128 * 4 * 100, 128 * 4 * 250, 256 * 4 * 300, 1L << 30})
    void unitsCoverEveryRowOnceWithinTheBudget(long budget) {
        List<UnitSlicer.Span> spans = UnitSlicer.slice(TENSORS, budget);
        for (int t = 0; t < TENSORS.size(); t++) {
            OutputTensor tensor = TENSORS.get(t);
            long next = 0;
            for (UnitSlicer.Span s : spans) {
                if (s.tensor() != t) {
                    continue;
                }
                assertEquals(next, s.row0(), "contiguous, in order");
                next = s.row1();
                assertTrue(s.rows() * tensor.rowLength() * 4 <= budget || s.rows() == 1, s + " within " + budget);
                long sliceRows = UnitSlicer.sliceRows(tensor);
                boolean wholeSlices = s.row0() % sliceRows == 0 && (s.row1() % sliceRows == 0 || s.row1() == tensor.rowCount());
                assertTrue(wholeSlices || s.row0() / sliceRows == (s.row1() - 1) / sliceRows, s + " mixes slices");
            }
            assertEquals(tensor.rowCount(), next, tensor.name() + " fully covered");
        }
    }

    @Test
    void unitsTakeWholeExpertsWhenTheyFitAndEqualPiecesWhenNot() {
        List<UnitSlicer.Span> twoExperts = UnitSlicer.slice(TENSORS.subList(2, 3), 128 * 4 * 250);
        assertEquals(List.of(new UnitSlicer.Span(0, 0, 200), new UnitSlicer.Span(0, 200, 400), new UnitSlicer.Span(0, 400, 600)),
                twoExperts);
        List<UnitSlicer.Span> thirds = UnitSlicer.slice(TENSORS.subList(2, 3), 128 * 4 * 40);
        assertEquals(18, thirds.size(), "each 100-row expert in three pieces of at most 40 rows");
        assertEquals(new UnitSlicer.Span(0, 0, 34), thirds.get(0));
        assertEquals(new UnitSlicer.Span(0, 68, 100), thirds.get(2));
        assertEquals(new UnitSlicer.Span(0, 100, 134), thirds.get(3));
        assertEquals(List.of(new UnitSlicer.Span(0, 0, 1)), UnitSlicer.slice(TENSORS.subList(0, 1), 1));
        assertThrows(IllegalArgumentException.class, () -> UnitSlicer.slice(TENSORS, 0));
    }
}

package io.quantsweep.quantize;

import io.quantsweep.arch.OutputTensor;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts the output tensors into work units: row ranges whose float32 values fit a byte budget, so that
 * a task's memory depends on the budget and not on the model.
 *
 * <p>A tensor that fits is one unit. A 3-D tensor (stacked experts, per-head {@code attn_k_b}) is
 * made of slices of {@code ne[1]} rows, each quantized with its own importance vector: units hold
 * as many whole slices as fit (one expert's matrix is the natural unit of a large model), and a
 * slice larger than the budget is cut into near-equal row ranges. A 2-D tensor is one slice. A unit
 * never holds part of a slice together with part of another, and never less than one row.
 */
public final class UnitSlicer {

    /** Rows {@code [row0, row1)} of tensor number {@code tensor} of the list that was sliced. */
    public record Span(int tensor, long row0, long row1) implements Serializable {
        public Span {
            if (tensor < 0 || row0 < 0 || row1 <= row0) {
                throw new IllegalArgumentException("bad span: tensor %d rows [%d, %d)".formatted(tensor, row0, row1));
            }
        }

        public long rows() {
            return row1 - row0;
        }
    }

    private UnitSlicer() {
    }

    /** Rows that share one importance vector: {@code ne[1]} for a 3-D tensor, all rows otherwise. */
    public static long sliceRows(OutputTensor t) {
        return t.ne().length >= 3 ? t.ne()[1] : t.rowCount();
    }

    /** Spans of every tensor, tensor by tensor in list order, each tensor's spans in row order. */
    public static List<Span> slice(List<OutputTensor> tensors, long unitBytes) {
        if (unitBytes < 1) {
            throw new IllegalArgumentException("unit budget must be positive, not " + unitBytes);
        }
        List<Span> spans = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) {
            slice(i, tensors.get(i), unitBytes, spans);
        }
        return spans;
    }

    private static void slice(int index, OutputTensor t, long unitBytes, List<Span> out) {
        long rows = t.rowCount();
        long budgetRows = Math.max(1, unitBytes / Math.multiplyExact(t.rowLength(), (long) Float.BYTES));
        long sliceRows = sliceRows(t);
        if (rows <= budgetRows) {
            out.add(new Span(index, 0, rows));
        } else if (sliceRows <= budgetRows) {
            long step = budgetRows / sliceRows * sliceRows;
            for (long r = 0; r < rows; r += step) {
                out.add(new Span(index, r, Math.min(rows, r + step)));
            }
        } else {
            long pieces = (sliceRows + budgetRows - 1) / budgetRows;
            long pieceRows = (sliceRows + pieces - 1) / pieces;
            for (long s = 0; s < rows; s += sliceRows) {
                for (long r = s; r < s + sliceRows; r += pieceRows) {
                    out.add(new Span(index, r, Math.min(s + sliceRows, r + pieceRows)));
                }
            }
        }
    }
}

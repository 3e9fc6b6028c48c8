package io.quantsweep.arch;

import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * One piece of an output tensor: rows {@code [row0, row0 + rowCount)} of checkpoint tensor
 * {@code tensor}, taken as they are or transposed. Rows are counted as {@link
 * io.quantsweep.format.safetensors.TensorInfo} counts them: the innermost dimension is the row, so a
 * 1-D norm is one row and a {@code [out, in]} matrix has {@code out} rows of {@code in} values.
 *
 * <p>Taken as they are, the slice adds {@code rowCount} rows of {@code cols} values to the output.
 * Transposed, it adds {@code cols} rows of {@code rowCount} values: output row {@code j} is column
 * {@code j} of the selected rows. This is how DeepSeek's {@code attn_k_b} is cut from
 * {@code kv_b_proj}: per head, the first {@code qk_nope_head_dim} rows, transposed.
 *
 * @param tensor the checkpoint tensor's name
 * @param shape the checkpoint tensor's full shape as the config implies it (checked against the header)
 * @param row0 first row taken
 * @param rowCount rows taken
 * @param transposed whether the rows are transposed
 */
public record SourceSlice(String tensor, List<Long> shape, long row0, long rowCount, boolean transposed)
        implements Serializable {

    public SourceSlice {
        Objects.requireNonNull(tensor, "tensor");
        shape = List.copyOf(shape);
        if (shape.isEmpty() || shape.size() > 2) {
            throw new IllegalArgumentException("source '" + tensor + "' has shape " + shape + "; slices take 1-D or 2-D tensors");
        }
        long rows = shape.size() == 1 ? 1 : shape.get(0);
        if (row0 < 0 || rowCount <= 0 || row0 + rowCount > rows) {
            throw new IllegalArgumentException("rows [" + row0 + ", " + (row0 + rowCount) + ") of source '" + tensor
                    + "' are not within its " + rows + " rows");
        }
        if (transposed && shape.size() != 2) {
            throw new IllegalArgumentException("source '" + tensor + "' of shape " + shape + " cannot be transposed");
        }
    }

    /** The whole of a tensor, as it is. */
    public static SourceSlice whole(String tensor, long... shape) {
        List<Long> s = toList(shape);
        return new SourceSlice(tensor, s, 0, shape.length == 1 ? 1 : shape[0], false);
    }

    /** Rows {@code [row0, row0 + rowCount)} of a 2-D tensor, as they are. */
    public static SourceSlice rows(String tensor, long rows, long cols, long row0, long rowCount) {
        return new SourceSlice(tensor, List.of(rows, cols), row0, rowCount, false);
    }

    /** Rows {@code [row0, row0 + rowCount)} of a 2-D tensor, transposed. */
    public static SourceSlice transposedRows(String tensor, long rows, long cols, long row0, long rowCount) {
        return new SourceSlice(tensor, List.of(rows, cols), row0, rowCount, true);
    }

    /** Values per row of the checkpoint tensor. */
    public long cols() {
        return shape.get(shape.size() - 1);
    }

    /** Rows this slice adds to the output. */
    public long outputRows() {
        return transposed ? cols() : rowCount;
    }

    /** Length of each row this slice adds to the output. */
    public long outputRowLength() {
        return transposed ? rowCount : cols();
    }

    private static List<Long> toList(long[] shape) {
        Long[] boxed = new Long[shape.length];
        for (int i = 0; i < shape.length; i++) {
            boxed[i] = shape[i];
        }
        return List.of(boxed);
    }
}

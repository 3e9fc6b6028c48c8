package io.quantsweep.format.safetensors;

import java.io.Serializable;
import java.util.List;

/**
 * One tensor entry of a safetensors header: its name, dtype, shape (row-major, outermost first) and
 * byte range {@code [begin, end)} relative to the start of the file's data section.
 *
 * <p>Rows are counted as ggml counts them: a row is the innermost dimension ({@link #rowLength()}),
 * and all outer dimensions flatten into {@link #rowCount()} rows, so a rank-1 tensor is one row and a
 * {@code [experts, out, in]} tensor has {@code experts * out} rows of {@code in} values.
 */
public record TensorInfo(String name, SafetensorsDtype dtype, List<Long> shape, long begin, long end)
        implements Serializable {
    /** The largest array length every JVM allocates. */
    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;

    public TensorInfo {
        shape = List.copyOf(shape);
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "' has negative dimension in " + shape);
            }
        }
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("tensor '" + name + "' has bad byte range [" + begin + ", " + end + ")");
        }
    }

    public int rank() {
        return shape.size();
    }

    /** Number of values, {@code prod(shape)} (1 for a scalar). */
    public long elementCount() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    public long byteLength() {
        return end - begin;
    }

    /** Values per row: the innermost dimension, or 1 for a scalar. */
    public long rowLength() {
        return shape.isEmpty() ? 1 : shape.get(shape.size() - 1);
    }

    /** Number of rows: the product of all dimensions but the innermost (1 for rank 0 and 1). */
    public long rowCount() {
        long n = 1;
        for (int i = 0; i < shape.size() - 1; i++) {
            n = Math.multiplyExact(n, shape.get(i));
        }
        return n;
    }

    public long rowBytes() {
        return Math.multiplyExact(rowLength(), dtype.byteSize());
    }

    /**
     * Byte length of rows {@code [r0, r1)}, which must fit in one Java array.
     *
     * @throws IndexOutOfBoundsException when the range is not within {@code [0, rowCount()]}
     * @throws IllegalArgumentException when the slab is too large for one array
     */
    public int slabBytes(long r0, long r1) {
        if (r0 < 0 || r1 < r0 || r1 > rowCount()) {
            throw new IndexOutOfBoundsException(
                    "rows [" + r0 + ", " + r1 + ") of tensor '" + name + "' with " + rowCount() + " rows");
        }
        long bytes = Math.multiplyExact(r1 - r0, rowBytes());
        if (bytes > MAX_ARRAY) {
            throw new IllegalArgumentException("rows [" + r0 + ", " + r1 + ") of tensor '" + name + "' are "
                    + bytes + " bytes, more than one array holds; read fewer rows at a time");
        }
        return (int) bytes;
    }
}

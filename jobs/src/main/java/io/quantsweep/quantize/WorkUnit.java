package io.quantsweep.quantize;

import io.quantsweep.arch.OutputTensor;
import io.quantsweep.quant.GgmlType;
import java.io.Serializable;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One unit of work, as the driver plans it and a task receives it: rows {@code [row0, row1)} of one
 * output tensor, read once and quantized into the type each variant gives that tensor.
 *
 * @param index the unit's number in the plan (names its parts and its record)
 * @param tensor the output tensor, with its checkpoint sources
 * @param row0 first row
 * @param row1 end row (exclusive)
 * @param importance {@code null}, or one {@code ne[0]} vector per slice the unit covers (slices
 *     {@link #firstSlice()} to {@link #lastSlice()}), concatenated
 * @param sourceBytes checkpoint bytes the unit reads (for balancing and progress)
 * @param types per variant, the tensor's type
 * @param shards per variant, the shard file the tensor is in
 * @param padding per variant, the zero bytes after the unit's data: the tensor's padding to the GGUF
 *     alignment for its last unit, 0 otherwise
 */
public record WorkUnit(int index, OutputTensor tensor, long row0, long row1, float[] importance, long sourceBytes,
        List<GgmlType> types, List<Integer> shards, List<Long> padding) implements Serializable {

    public WorkUnit {
        Objects.requireNonNull(tensor, "tensor");
        types = List.copyOf(types);
        shards = List.copyOf(shards);
        padding = List.copyOf(padding);
        if (row0 < 0 || row1 <= row0 || row1 > tensor.rowCount()) {
            throw new IllegalArgumentException("unit %d: rows [%d, %d) of tensor '%s' with %d rows"
                    .formatted(index, row0, row1, tensor.name(), tensor.rowCount()));
        }
        if (types.isEmpty() || shards.size() != types.size() || padding.size() != types.size()) {
            throw new IllegalArgumentException("unit %d: %d types, %d shards and %d paddings for its variants"
                    .formatted(index, types.size(), shards.size(), padding.size()));
        }
        long slices = lastSliceOf(tensor, row1) - row0 / UnitSlicer.sliceRows(tensor) + 1;
        if (importance != null && importance.length != slices * tensor.rowLength()) {
            throw new IllegalArgumentException("unit %d: %d importance values for %d slices of %d"
                    .formatted(index, importance.length, slices, tensor.rowLength()));
        }
    }

    private static long lastSliceOf(OutputTensor t, long row1) {
        return (row1 - 1) / UnitSlicer.sliceRows(t);
    }

    public long rows() {
        return row1 - row0;
    }

    /** Values the unit reads: its rows times {@code ne[0]}. */
    public long elements() {
        return Math.multiplyExact(rows(), tensor.rowLength());
    }

    /** Slice (expert or head) of {@link #row0}; 0 for a 2-D tensor. */
    public int firstSlice() {
        return Math.toIntExact(row0 / UnitSlicer.sliceRows(tensor));
    }

    /** Slice of the last row. */
    public int lastSlice() {
        return Math.toIntExact(lastSliceOf(tensor, row1));
    }

    /** The importance vector of slice {@code slice} (a copy), or {@code null} when the unit has none. */
    public float[] importance(int slice) {
        if (importance == null) {
            return null;
        }
        int cols = Math.toIntExact(tensor.rowLength());
        int at = (slice - firstSlice()) * cols;
        return Arrays.copyOfRange(importance, at, at + cols);
    }

    public int variants() {
        return types.size();
    }

    /** Bytes of the unit's part for variant {@code v}: its rows in the variant's type, plus padding. */
    public long partBytes(int v) {
        return Math.addExact(Math.multiplyExact(rows(), types.get(v).bytesFor(tensor.rowLength())), padding.get(v));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WorkUnit u && u.index == index && u.tensor.equals(tensor) && u.row0 == row0 && u.row1 == row1
                && Arrays.equals(u.importance, importance) && u.sourceBytes == sourceBytes && u.types.equals(types)
                && u.shards.equals(shards) && u.padding.equals(padding);
    }

    @Override
    public int hashCode() {
        return Objects.hash(index, tensor.name(), row0, row1);
    }

    @Override
    public String toString() {
        return "unit %d: '%s' rows [%d, %d) %s".formatted(index, tensor.name(), row0, row1, types);
    }
}

package io.quantsweep.arch;

import io.quantsweep.format.gguf.GgufTensorSpec;
import io.quantsweep.quant.GgmlType;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * One tensor of the GGUF a checkpoint converts to: its GGUF name, its dimensions in GGUF order
 * ({@code ne[0]} is the row length, the reverse of the numpy shape), whether it is always stored as
 * F32, and the checkpoint slices that make it.
 *
 * <p>The output's {@code ne[1] * ne[2] * …} rows of {@code ne[0]} values are the rows of its
 * {@link #sources()} concatenated in order; {@link TensorRows} reads any range of them. A stacked
 * expert tensor {@code {in, out, experts}} is one slice per expert, each {@code out} rows long.
 *
 * @param alwaysF32 true for tensors the converter writes as F32 whatever the output type (norms,
 *     the MoE router, biases) and llama-quantize leaves alone
 */
public record OutputTensor(String name, long[] ne, boolean alwaysF32, List<SourceSlice> sources)
        implements Serializable {

    /**
     * llama.cpp's tensor order ({@code weight_name_comparer}, the order llama-quantize writes): by the
     * layer number of a {@code blk.N.} name, with names outside blocks (layer -1) first, then by name.
     */
    public static final Comparator<OutputTensor> LLAMA_ORDER =
            Comparator.comparingInt(OutputTensor::layer).thenComparing(OutputTensor::name);

    public OutputTensor {
        Objects.requireNonNull(name, "name");
        ne = ne.clone();
        sources = List.copyOf(sources);
        if (ne.length == 0 || sources.isEmpty()) {
            throw new IllegalArgumentException("tensor '" + name + "' needs dimensions and sources");
        }
        long rows = 0;
        for (SourceSlice s : sources) {
            if (s.outputRowLength() != ne[0]) {
                throw new IllegalArgumentException("tensor '" + name + "' has rows of " + ne[0] + " but source '"
                        + s.tensor() + "' gives rows of " + s.outputRowLength());
            }
            rows += s.outputRows();
        }
        if (rows != rowCount(ne)) {
            throw new IllegalArgumentException("tensor '" + name + "' " + Arrays.toString(ne) + " has " + rowCount(ne)
                    + " rows but its sources give " + rows);
        }
    }

    /** {@code ne[0]}: values per row. */
    public long rowLength() {
        return ne[0];
    }

    /** The checkpoint tensor output row {@code row} is read from. */
    public String sourceOf(long row) {
        long base = 0;
        for (SourceSlice s : sources) {
            base += s.outputRows();
            if (row < base) {
                return s.tensor();
            }
        }
        throw new IndexOutOfBoundsException("row " + row + " of " + this);
    }

    /** {@code ne[1] * ne[2] * …}. */
    public long rowCount() {
        return rowCount(ne);
    }

    public long elementCount() {
        return Math.multiplyExact(rowLength(), rowCount());
    }

    /** The dimensions (a copy). */
    @Override
    public long[] ne() {
        return ne.clone();
    }

    /** The block number of a {@code blk.N.} name, as ggml's {@code sscanf("blk.%d.")} reads it; -1 otherwise. */
    public int layer() {
        return layerOf(name);
    }

    /** This tensor as GGUF stores it in {@code type}, or F32 if it is {@link #alwaysF32()}. */
    public GgufTensorSpec spec(GgmlType type) {
        return new GgufTensorSpec(name, alwaysF32 ? GgmlType.F32 : type, ne);
    }

    /** The block number of a {@code blk.N.} name; -1 for other names. */
    public static int layerOf(String name) {
        if (!name.startsWith("blk.")) {
            return -1;
        }
        int end = 4;
        while (end < name.length() && Character.isDigit(name.charAt(end))) {
            end++;
        }
        // sscanf assigns the number before it checks the '.' after it
        if (end == 4 || end - 4 > 9) {
            return -1;
        }
        return Integer.parseInt(name, 4, end, 10);
    }

    private static long rowCount(long[] ne) {
        long n = 1;
        for (int i = 1; i < ne.length; i++) {
            n = Math.multiplyExact(n, ne[i]);
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof OutputTensor t && t.name.equals(name) && Arrays.equals(t.ne, ne) && t.alwaysF32 == alwaysF32
                && t.sources.equals(sources);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(ne), alwaysF32, sources);
    }

    @Override
    public String toString() {
        return name + " " + Arrays.toString(ne) + (alwaysF32 ? " F32" : "") + " from " + sources.size() + " slice(s)";
    }
}

package io.quantsweep.format.gguf;

import io.quantsweep.quant.GgmlType;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor's name, ggml type and dimensions (spec §1.3), validated as ggml would: a name of 1..63
 * UTF-8 bytes, at most 4 non-negative dimensions with {@code ne[0]} (the contiguous row) a multiple
 * of the type's block size, and a byte size that fits a {@code long}.
 *
 * <p>{@code ne} is in GGUF order: {@code ne[0]} is the row length, the reverse of a numpy shape.
 */
public record GgufTensorSpec(String name, GgmlType type, long[] ne) implements Serializable {

    public GgufTensorSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        ne = ne.clone();
        int nameBytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (nameBytes == 0 || nameBytes > Gguf.MAX_TENSOR_NAME_BYTES) {
            throw new IllegalArgumentException(
                    "tensor name '%s' has %d bytes; GGUF allows 1..%d".formatted(name, nameBytes, Gguf.MAX_TENSOR_NAME_BYTES));
        }
        if (ne.length > Gguf.MAX_DIMS) {
            throw new IllegalArgumentException("tensor '%s' has %d dimensions; GGUF allows at most %d"
                    .formatted(name, ne.length, Gguf.MAX_DIMS));
        }
        for (int i = 0; i < ne.length; i++) {
            if (ne[i] < 0) {
                throw new IllegalArgumentException("tensor '%s' has ne[%d] = %d".formatted(name, i, ne[i]));
            }
        }
        if (dim(ne, 0) % type.blockSize() != 0) {
            throw new IllegalArgumentException("tensor '%s': row length ne[0] = %d is not a multiple of %s's block size %d"
                    .formatted(name, dim(ne, 0), type, type.blockSize()));
        }
        byteSize(type, ne);
    }

    public static GgufTensorSpec of(String name, GgmlType type, long... ne) {
        return new GgufTensorSpec(name, type, ne);
    }

    private static long dim(long[] ne, int i) {
        return i < ne.length ? ne[i] : 1;
    }

    /** ggml's {@code ggml_nbytes} for a contiguous tensor; throws ArithmeticException on overflow. */
    static long byteSize(GgmlType type, long[] ne) {
        long bytes = Math.multiplyExact(dim(ne, 0) / type.blockSize(), (long) type.blockBytes());
        for (int i = 1; i < Gguf.MAX_DIMS; i++) {
            bytes = Math.multiplyExact(bytes, dim(ne, i));
        }
        return bytes;
    }

    /** The dimensions as given (a copy). */
    @Override
    public long[] ne() {
        return ne.clone();
    }

    /** Dimension {@code i}, 1 beyond the given ones. */
    public long dim(int i) {
        return dim(ne, i);
    }

    /** Number of elements. */
    public long elementCount() {
        long n = 1;
        for (long d : ne) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** Bytes of the tensor data, without padding. */
    public long byteSize() {
        return byteSize(type, ne);
    }

    /** Bytes of one row of {@code ne[0]} elements. */
    public long rowBytes() {
        return type.bytesFor(dim(0));
    }

    /**
     * The dimensions as ggml's writer stores them: up to and including the last one above 1 (at
     * least one), so {@code [4096, 1]} is written as {@code [4096]}.
     */
    public long[] writtenNe() {
        int n = 1;
        for (int i = 1; i < ne.length; i++) {
            if (ne[i] > 1) {
                n = i + 1;
            }
        }
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
            out[i] = dim(i);
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensorSpec s && s.name.equals(name) && s.type == type && Arrays.equals(s.ne, ne);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, Arrays.hashCode(ne));
    }

    @Override
    public String toString() {
        return "%s %s %s".formatted(name, type, Arrays.toString(ne));
    }
}

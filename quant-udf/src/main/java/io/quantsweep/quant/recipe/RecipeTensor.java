package io.quantsweep.quant.recipe;

import io.quantsweep.quant.GgmlType;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Objects;

/**
 * A GGUF tensor as a recipe sees it: its name, its type in the input file and its dimensions in
 * ggml order ({@code ne[0]} is the row length, the reverse of a numpy shape).
 */
public record RecipeTensor(String name, GgmlType type, long[] ne) {

    /** ggml's {@code GGML_MAX_DIMS}. */
    private static final int MAX_DIMS = 4;

    /**
     * llama.cpp's processing order ({@code weights_map}): by the layer of {@code blk.N.} (-1 for none),
     * then by the name's bytes. The counter-based mixture rules depend on it.
     */
    public static final Comparator<RecipeTensor> LLAMA_ORDER = Comparator.comparingInt(RecipeTensor::layer)
            .thenComparing((a, b) -> Arrays.compareUnsigned(
                    a.name.getBytes(StandardCharsets.UTF_8), b.name.getBytes(StandardCharsets.UTF_8)));

    public RecipeTensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        ne = ne.clone();
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty tensor name");
        }
        if (ne.length < 1 || ne.length > MAX_DIMS) {
            throw new IllegalArgumentException(
                    "tensor '%s' has %d dimensions; ggml allows 1..%d".formatted(name, ne.length, MAX_DIMS));
        }
        for (int i = 0; i < ne.length; i++) {
            if (ne[i] < 1) {
                throw new IllegalArgumentException("tensor '%s' has ne[%d] = %d".formatted(name, i, ne[i]));
            }
        }
        elementsOf(name, ne);
    }

    public static RecipeTensor of(String name, GgmlType type, long... ne) {
        return new RecipeTensor(name, type, ne);
    }

    /** The dimensions (a copy). */
    @Override
    public long[] ne() {
        return ne.clone();
    }

    /** {@code ne[0]}, the length of one row. */
    public long rowLength() {
        return ne[0];
    }

    /** ggml's {@code ggml_n_dims}: 1 + the index of the last dimension above 1. */
    public int nDims() {
        for (int i = ne.length - 1; i > 0; i--) {
            if (ne[i] > 1) {
                return i + 1;
            }
        }
        return 1;
    }

    /** The number of elements. */
    public long elements() {
        return elementsOf(name, ne);
    }

    /**
     * The layer llama.cpp reads with {@code sscanf(name, "blk.%d.")}: the decimal digits after a
     * leading {@code blk.}, or -1 when there are none.
     */
    public int layer() {
        if (!name.startsWith("blk.")) {
            return -1;
        }
        int end = 4;
        // at most 9 digits, so the value fits an int (sscanf's overflow is undefined anyway)
        while (end < name.length() && end < 4 + 9 && name.charAt(end) >= '0' && name.charAt(end) <= '9') {
            end++;
        }
        return end == 4 ? -1 : Integer.parseInt(name, 4, end, 10);
    }

    /**
     * Whether llama-quantize quantizes this tensor at all ({@code tensor_allows_quantization}, the
     * branches a transformer can hit): at least 2 dimensions, a name that ends in {@code weight} and
     * contains neither {@code _norm.weight} nor the MoE router's {@code ffn_gate_inp.weight}.
     */
    public boolean quantizable() {
        return nDims() >= 2
                && name.endsWith("weight")
                && !name.contains("_norm.weight")
                && !name.contains("ffn_gate_inp.weight");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecipeTensor t && name.equals(t.name) && type == t.type && Arrays.equals(ne, t.ne);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, type, Arrays.hashCode(ne));
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(ne);
    }

    private static long elementsOf(String name, long[] ne) {
        long n = 1;
        for (long d : ne) {
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("tensor '%s' has more than 2^63 elements".formatted(name), e);
            }
        }
        return n;
    }
}

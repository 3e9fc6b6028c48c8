package io.quantsweep.quant.imatrix;

import io.quantsweep.quant.imatrix.ImportanceMatrixException.Reason;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * An importance matrix as llama-quantize holds it after loading (spec §4.2, §4.3): GGUF tensor name →
 * {@code float[ne0 * nmat]}, each value the mean of x² of one input column of one matrix, already
 * divided by its count ({@code in_sum2 / counts} for a GGUF imatrix, {@code stored / ncall} for a
 * legacy {@code .dat}), and 1.0 for every column of a matrix whose count was 0.
 *
 * <p>{@link #forTensor} gives the per-slice vectors the codecs take: slice {@code e} is
 * {@code entry[e*ne0 .. (e+1)*ne0)}, expert {@code e} of an {@code *_exps} tensor or head {@code e} of
 * a 3-D dense tensor such as {@code attn_k_b}; it also applies llama-quantize's size check. Every
 * value is finite and non-negative: llama-quantize aborts on a non-finite one, and no codec takes a
 * negative weight, so both are refused when the matrix is built.
 */
public final class ImportanceMatrix implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The tensor llama-quantize exempts from the size check: its entry is ignored when the size is wrong. */
    public static final String TOKEN_EMBD = "token_embd.weight";

    /**
     * One entry: {@code values.length == matrices × width}, matrix {@code j} at
     * {@code values[j*width .. (j+1)*width)}. {@code unseen} lists, in ascending order, the matrices
     * whose count was 0 (experts the calibration text never routed to); their values are all 1.0.
     * A legacy {@code .dat} keeps no counts, so its entries have one matrix and nothing unseen.
     */
    public record Entry(String name, float[] values, int matrices, int[] unseen) implements Serializable {
        private static final long serialVersionUID = 1L;

        public Entry {
            Objects.requireNonNull(name, "name");
            if (name.isEmpty()) {
                throw new IllegalArgumentException("an importance matrix entry needs a name");
            }
            values = values.clone();
            unseen = unseen.clone();
            if (values.length == 0 || matrices < 1 || values.length % matrices != 0) {
                throw new IllegalArgumentException("entry '%s': %d values do not make %d matrices of equal width"
                        .formatted(name, values.length, matrices));
            }
            checkValues(name, values);
            int width = values.length / matrices;
            for (int i = 0; i < unseen.length; i++) {
                int j = unseen[i];
                if (j < 0 || j >= matrices || (i > 0 && j <= unseen[i - 1])) {
                    throw new IllegalArgumentException("entry '%s': unseen matrices %s are not ascending indices below %d"
                            .formatted(name, Arrays.toString(unseen), matrices));
                }
                for (int k = j * width; k < (j + 1) * width; k++) {
                    if (values[k] != 1.0f) {
                        throw new IllegalArgumentException("entry '%s': matrix %d has no tokens but value %s at index %d, not 1.0"
                                .formatted(name, j, values[k], k));
                    }
                }
            }
        }

        /**
         * llama-quantize's reading of a GGUF imatrix entry: for matrix {@code j},
         * {@code value = in_sum2 / counts[j]} where {@code counts[j] > 0}, else 1.0.
         *
         * @param sums   {@code in_sum2}, {@code counts.length} matrices of equal width
         * @param counts tokens seen per matrix
         */
        public static Entry fromSums(String name, float[] sums, float[] counts) {
            int nmat = counts.length;
            if (nmat == 0 || sums.length == 0 || sums.length % nmat != 0) {
                throw new IllegalArgumentException("entry '%s': %d sums do not make %d matrices of equal width"
                        .formatted(name, sums.length, nmat));
            }
            int width = sums.length / nmat;
            float[] values = new float[sums.length];
            int[] unseen = new int[nmat];
            int nUnseen = 0;
            for (int j = 0; j < nmat; j++) {
                float count = counts[j];
                if (count > 0.0f) {
                    for (int i = 0; i < width; i++) {
                        values[j * width + i] = sums[j * width + i] / count;
                    }
                } else {
                    Arrays.fill(values, j * width, (j + 1) * width, 1.0f);
                    unseen[nUnseen++] = j;
                }
            }
            return new Entry(name, values, nmat, Arrays.copyOf(unseen, nUnseen));
        }

        /** The values (a copy). */
        @Override
        public float[] values() {
            return values.clone();
        }

        /** Matrices whose count was 0 (a copy). */
        @Override
        public int[] unseen() {
            return unseen.clone();
        }

        /** Values per matrix. */
        public int width() {
            return values.length / matrices;
        }

        float[] shared() {
            return values;
        }

        int[] sharedUnseen() {
            return unseen;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && e.name.equals(name) && e.matrices == matrices
                    && Arrays.equals(e.values, values) && Arrays.equals(e.unseen, unseen);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, matrices, Arrays.hashCode(values), Arrays.hashCode(unseen));
        }

        @Override
        public String toString() {
            return "%s[%d values, %d matrices, unseen %s]".formatted(name, values.length, matrices, Arrays.toString(unseen));
        }
    }

    private final TreeMap<String, Entry> entries;

    private ImportanceMatrix(TreeMap<String, Entry> entries) {
        this.entries = entries;
    }

    /** A matrix of {@code entries}, whose names must be unique. */
    public static ImportanceMatrix of(Collection<Entry> entries) {
        TreeMap<String, Entry> map = new TreeMap<>();
        for (Entry e : entries) {
            if (map.put(e.name(), e) != null) {
                throw new IllegalArgumentException("importance matrix entry '%s' appears twice".formatted(e.name()));
            }
        }
        return new ImportanceMatrix(map);
    }

    /** Refuses a non-finite or negative value, naming the entry and its index. */
    static void checkValues(String name, float[] values) {
        for (int i = 0; i < values.length; i++) {
            float v = values[i];
            if (!Float.isFinite(v)) {
                throw new ImportanceMatrixException(Reason.NON_FINITE_VALUE, name, "value %s at index %d is not finite".formatted(v, i));
            }
            if (v < 0) {
                throw new ImportanceMatrixException(Reason.NEGATIVE_VALUE, name, "value %s at index %d is negative".formatted(v, i));
            }
        }
    }

    public int size() {
        return entries.size();
    }

    /** Entry names in ascending order. */
    public Set<String> names() {
        return Collections.unmodifiableSet(entries.keySet());
    }

    /** Entries in name order. */
    public List<Entry> entries() {
        return List.copyOf(entries.values());
    }

    public Optional<Entry> entry(String name) {
        return Optional.ofNullable(entries.get(name));
    }

    /**
     * The importance of tensor {@code tensor}, whose rows are {@code ne0} wide, in {@code nSlices}
     * slices ({@code ne2}: experts or heads; 1 for a 2-D tensor), as llama-quantize looks it up:
     * without an entry the tensor is quantized without weights; an entry whose size is not
     * {@code ne0 × nSlices} is an error, except for {@link #TOKEN_EMBD}, whose entry is then ignored.
     *
     * @throws ImportanceMatrixException SIZE_MISMATCH, naming the tensor and both sizes
     */
    public TensorImportance forTensor(String tensor, int ne0, int nSlices) {
        if (ne0 < 1 || nSlices < 1) {
            throw new IllegalArgumentException("tensor '%s': ne0 %d and %d slices must be positive".formatted(tensor, ne0, nSlices));
        }
        Entry e = entries.get(tensor);
        if (e == null) {
            return TensorImportance.without(tensor, ne0, nSlices, TensorImportance.Status.NO_ENTRY);
        }
        long needed = (long) ne0 * nSlices;
        if (e.shared().length != needed) {
            if (tensor.equals(TOKEN_EMBD)) {
                return TensorImportance.without(tensor, ne0, nSlices, TensorImportance.Status.IGNORED_SIZE);
            }
            throw new ImportanceMatrixException(Reason.SIZE_MISMATCH, tensor, "%d values, but the tensor needs ne0 × ne2 = %d × %d = %d"
                    .formatted(e.shared().length, ne0, nSlices, needed));
        }
        return TensorImportance.of(tensor, ne0, nSlices, e);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ImportanceMatrix m && m.entries.equals(entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return "ImportanceMatrix" + entries.values();
    }
}

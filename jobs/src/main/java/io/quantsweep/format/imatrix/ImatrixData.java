package io.quantsweep.format.imatrix;

import io.quantsweep.quant.imatrix.ImportanceMatrix;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * The contents of an importance-matrix file as llama-imatrix collects them (spec §4.1, §4.2): per
 * entry the raw Σx² per input column and matrix ({@code in_sum2}) and the tokens per matrix
 * ({@code counts}), with the calibration datasets, the number of chunks and the chunk size.
 *
 * <p>This is the GGUF imatrix's own model. A legacy {@code .dat} keeps neither counts nor the chunk
 * size; {@link ImatrixFiles} reads each of its entries as one matrix with {@code in_sum2} = the stored
 * values and count = {@code ncall} (1 where {@code ncall} is 0, so the stored values stand, as
 * llama-quantize reads them), with chunk size 1. {@link #importance()} then gives what llama-quantize
 * loads from either format.
 *
 * <p>Entries are held in name order, the order both llama-imatrix writers use. Every sum and count is
 * finite and non-negative.
 */
public record ImatrixData(List<String> datasets, long chunkCount, long chunkSize, List<Entry> entries) {

    /**
     * One entry: {@code sums.length == counts.length × width}, matrix {@code j} (expert j, or the
     * single matrix of a dense weight, 3-D ones included) at {@code sums[j*width .. (j+1)*width)}.
     */
    public record Entry(String name, float[] sums, float[] counts) {
        public Entry {
            Objects.requireNonNull(name, "name");
            if (name.isEmpty()) {
                throw new IllegalArgumentException("an imatrix entry needs a name");
            }
            sums = sums.clone();
            counts = counts.clone();
            if (counts.length == 0 || sums.length == 0 || sums.length % counts.length != 0) {
                throw new IllegalArgumentException("entry '%s': %d sums do not make %d matrices of equal width"
                        .formatted(name, sums.length, counts.length));
            }
            requireValid(name, "sums", sums);
            requireValid(name, "counts", counts);
        }

        private static void requireValid(String name, String what, float[] v) {
            int bad = firstInvalid(v);
            if (bad >= 0) {
                throw new IllegalArgumentException("entry '%s': %s[%d] = %s is not finite and non-negative"
                        .formatted(name, what, bad, v[bad]));
            }
        }

        /** The sums (a copy). */
        @Override
        public float[] sums() {
            return sums.clone();
        }

        /** The counts (a copy). */
        @Override
        public float[] counts() {
            return counts.clone();
        }

        public int matrices() {
            return counts.length;
        }

        public int width() {
            return sums.length / counts.length;
        }

        /** Whether any matrix saw a token; llama-imatrix skips entries that did not when writing. */
        public boolean hasData() {
            for (float c : counts) {
                if (c > 0) {
                    return true;
                }
            }
            return false;
        }

        float[] sharedSums() {
            return sums;
        }

        float[] sharedCounts() {
            return counts;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && e.name.equals(name) && Arrays.equals(e.sums, sums) && Arrays.equals(e.counts, counts);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, Arrays.hashCode(sums), Arrays.hashCode(counts));
        }

        @Override
        public String toString() {
            return "%s[%d × %d]".formatted(name, counts.length, width());
        }
    }

    private static final long U32_MAX = 0xFFFF_FFFFL;

    public ImatrixData {
        datasets = List.copyOf(datasets);
        if (chunkCount < 0 || chunkCount > U32_MAX || chunkSize < 0 || chunkSize > U32_MAX) {
            throw new IllegalArgumentException("chunk count %d and chunk size %d must be u32 values".formatted(chunkCount, chunkSize));
        }
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparing(Entry::name));
        for (int i = 1; i < sorted.size(); i++) {
            if (sorted.get(i).name().equals(sorted.get(i - 1).name())) {
                throw new IllegalArgumentException("imatrix entry '%s' appears twice".formatted(sorted.get(i).name()));
            }
        }
        entries = List.copyOf(sorted);
    }

    /**
     * Index of the first value that is not finite and non-negative, or -1; readers name it in their
     * refusals before any {@link Entry} is built.
     */
    static int firstInvalid(float[] v) {
        for (int i = 0; i < v.length; i++) {
            if (!(Float.isFinite(v[i]) && v[i] >= 0)) {
                return i;
            }
        }
        return -1;
    }

    /** What llama-quantize loads: per matrix {@code in_sum2 / count}, or 1.0 where the count is 0. */
    public ImportanceMatrix importance() {
        List<ImportanceMatrix.Entry> out = new ArrayList<>(entries.size());
        for (Entry e : entries) {
            out.add(ImportanceMatrix.Entry.fromSums(e.name(), e.sharedSums(), e.sharedCounts()));
        }
        return ImportanceMatrix.of(out);
    }
}

package io.quantsweep.quant.imatrix;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * What {@link ImportanceMatrix#forTensor} found for one tensor: its per-slice importance vectors, or
 * why it has none. {@link #slice(int)} is the {@code importance} argument of
 * {@code Codecs.quantize(type, rows, ne0, importance)} for the rows of slice {@code e}: {@code null}
 * when the tensor has no weights (the codecs then take their reference path, as llama-quantize does
 * with {@code imatrix == nullptr}).
 */
public final class TensorImportance implements Serializable {
    private static final long serialVersionUID = 1L;

    /** How the lookup went. */
    public enum Status {
        /** The entry was found and fits: every slice has a vector. */
        WEIGHTED,
        /** The matrix has no entry for the tensor: quantized without weights. */
        NO_ENTRY,
        /** {@code token_embd.weight} with an entry of the wrong size, which llama-quantize ignores. */
        IGNORED_SIZE
    }

    private final String tensor;
    private final int ne0;
    private final int slices;
    private final Status status;
    private final ImportanceMatrix.Entry entry;

    private TensorImportance(String tensor, int ne0, int slices, Status status, ImportanceMatrix.Entry entry) {
        this.tensor = Objects.requireNonNull(tensor, "tensor");
        this.ne0 = ne0;
        this.slices = slices;
        this.status = status;
        this.entry = entry;
    }

    static TensorImportance of(String tensor, int ne0, int slices, ImportanceMatrix.Entry entry) {
        return new TensorImportance(tensor, ne0, slices, Status.WEIGHTED, entry);
    }

    static TensorImportance without(String tensor, int ne0, int slices, Status status) {
        return new TensorImportance(tensor, ne0, slices, status, null);
    }

    public String tensor() {
        return tensor;
    }

    public int ne0() {
        return ne0;
    }

    public int slices() {
        return slices;
    }

    public Status status() {
        return status;
    }

    public boolean hasWeights() {
        return status == Status.WEIGHTED;
    }

    /** The {@code ne0} weights of slice {@code e} (a copy), or {@code null} without weights. */
    public float[] slice(int e) {
        Objects.checkIndex(e, slices);
        if (entry == null) {
            return null;
        }
        return Arrays.copyOfRange(entry.shared(), e * ne0, (e + 1) * ne0);
    }

    /** Matrices of the entry (experts; 1 for a dense entry, even a 3-D one); 0 without weights. */
    public int matrices() {
        return entry == null ? 0 : entry.matrices();
    }

    /**
     * Matrices of the entry whose count was 0, so that their slices hold unit weights: experts never
     * routed to, or the whole of a dense entry that saw no tokens. Empty without weights.
     */
    public int[] unseenMatrices() {
        return entry == null ? new int[0] : entry.unseen();
    }

    @Override
    public String toString() {
        return "%s %s (ne0 %d, %d slices%s)".formatted(tensor, status, ne0, slices,
                entry == null || entry.sharedUnseen().length == 0 ? "" : ", unseen " + Arrays.toString(entry.sharedUnseen()));
    }
}

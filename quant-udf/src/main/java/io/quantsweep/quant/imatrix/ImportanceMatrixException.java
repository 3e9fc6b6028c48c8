package io.quantsweep.quant.imatrix;

import java.util.Objects;

/**
 * Importance data that llama-quantize would refuse: a value that is not finite (it aborts at load),
 * or an entry whose size does not fit the tensor it is for; and a matrix that QuantSweep refuses as
 * one of another model. The message names the entry or tensor, the index or both sizes; tests assert
 * the {@link Reason}.
 */
public final class ImportanceMatrixException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why the data was refused. */
    public enum Reason {
        /** A NaN or infinite value; llama-quantize aborts on any. */
        NON_FINITE_VALUE,
        /** A negative value, which no sum of squares can produce and no codec accepts as a weight. */
        NEGATIVE_VALUE,
        /** An entry whose size is not {@code ne0 × ne2} of its tensor (other than {@code token_embd.weight}). */
        SIZE_MISMATCH,
        /**
         * No entry names a tensor the run quantizes: a matrix of another model, with which a run would weigh
         * nothing yet record the matrix in every file's KVs.
         */
        NO_TENSOR_NAMED
    }

    private final Reason reason;
    private final String name;

    public ImportanceMatrixException(Reason reason, String name, String detail) {
        this(reason, name, "importance matrix entry '%s': %s [%s]".formatted(name, detail, reason), null);
    }

    /** A refusal of the whole matrix, not of one entry: {@link #name()} is empty. */
    public ImportanceMatrixException(Reason reason, String message) {
        this(reason, "", message, null);
    }

    private ImportanceMatrixException(Reason reason, String name, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.name = Objects.requireNonNull(name, "name");
    }

    /** The same refusal, its message led by the file the matrix came from. */
    public ImportanceMatrixException in(String file) {
        return new ImportanceMatrixException(reason, name, file + ": " + getMessage(), this);
    }

    public Reason reason() {
        return reason;
    }

    /** The entry (= GGUF tensor) name; empty where the whole matrix was refused. */
    public String name() {
        return name;
    }
}

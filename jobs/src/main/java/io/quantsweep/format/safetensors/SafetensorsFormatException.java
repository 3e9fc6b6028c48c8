package io.quantsweep.format.safetensors;

import io.quantsweep.format.FormatException;

/**
 * A safetensors file, index or checkpoint that breaks the format. The {@link Reason} says which rule;
 * the message names the file and, where there is one, the tensor.
 */
public class SafetensorsFormatException extends FormatException {
    private static final long serialVersionUID = 1L;

    /** The rule a file broke. */
    public enum Reason {
        /** Shorter than the 8-byte length prefix, or the header length runs past the end of the file. */
        TRUNCATED,
        /** The header length is above {@link SafetensorsFile#MAX_HEADER_BYTES}. */
        HEADER_TOO_LARGE,
        /** The header is not UTF-8 JSON of the expected shape (object of entries, duplicate keys, bad field). */
        MALFORMED_HEADER,
        /** A dtype this reader does not know. */
        UNKNOWN_DTYPE,
        /** A byte range that is reversed or ends past the data section. */
        OFFSET_OUT_OF_RANGE,
        /** Two tensors share bytes. */
        OFFSETS_OVERLAP,
        /** The tensors leave a gap, or do not end exactly where the data section (the file) ends. */
        DATA_NOT_CONTIGUOUS,
        /** A byte range whose length is not {@code prod(shape) * dtype size}. */
        SIZE_MISMATCH,
        /** {@code model.safetensors.index.json} is not the expected JSON. */
        MALFORMED_INDEX,
        /** A shard named by the index does not exist. */
        MISSING_SHARD,
        /** A tensor listed in the index is not in its shard. */
        MISSING_TENSOR,
        /** An FP8 weight without its {@code _scale_inv} companion. */
        MISSING_SCALE,
        /** A {@code _scale_inv} tensor that is not F32 with one entry per block, or an FP8 weight that is not 2-D. */
        BAD_SCALE
    }

    private final Reason reason;

    public SafetensorsFormatException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public SafetensorsFormatException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    @Override
    public String getMessage() {
        return reason + ": " + super.getMessage();
    }
}

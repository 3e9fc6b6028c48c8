package io.quantsweep.arch;

import java.util.Objects;

/**
 * A model directory that cannot be mapped to GGUF: an architecture without a mapping, a config key
 * that is missing or holds a value the mapping cannot use, a checkpoint whose tensors do not match
 * what the config promises, or a tokenizer that cannot be read. The message names the file and the
 * key or tensor; tests assert the {@link Reason}.
 */
public final class ModelMappingException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    /** What is wrong. */
    public enum Reason {
        /** {@code architectures} names a model class no mapping handles. */
        UNSUPPORTED_ARCHITECTURE,
        /** A required key is absent or null. */
        MISSING_KEY,
        /** A key is present with a value of the wrong type or outside what the mapping supports. */
        BAD_VALUE,
        /** A file is not the JSON object it should be. */
        MALFORMED_FILE,
        /** A tensor the config implies is not in the checkpoint. */
        MISSING_TENSOR,
        /** A checkpoint tensor has another shape or a non-float dtype. */
        TENSOR_MISMATCH,
        /** A checkpoint tensor has no GGUF counterpart and is not one the conversion drops. */
        UNEXPECTED_TENSOR
    }

    private final Reason reason;

    public ModelMappingException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public ModelMappingException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}

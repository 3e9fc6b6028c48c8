package io.quantsweep.format.imatrix;

import io.quantsweep.format.FormatException;
import java.util.Objects;

/**
 * An importance-matrix file ({@code .dat} or GGUF) that this package refuses, with the {@link Reason}
 * as a stable name for tests and callers, and a message naming the file, the byte offset where there
 * is one, and the entry or tensor.
 */
public final class ImatrixFormatException extends FormatException {
    private static final long serialVersionUID = 1L;

    /** Why a file is refused; each value has one case in the corruption test. */
    public enum Reason {
        /** The file ends inside a count, an entry or the trailer (or is under 4 bytes). */
        TRUNCATED,
        /** A {@code .dat} with fewer than one entry, or a GGUF without any {@code .in_sum2}/{@code .counts} tensor. */
        NO_ENTRIES,
        /** A count the file cannot hold or that cannot be: entries, values ({@code nval < 1}), a negative {@code ncall} or {@code last_chunk}. */
        BAD_COUNT,
        /** An entry with more values than {@link ImatrixFiles#MAX_ENTRY_VALUES}. */
        ENTRY_TOO_LARGE,
        /** A name or dataset path that is empty (names only), longer than {@link ImatrixFiles#MAX_STRING_BYTES}, or not UTF-8. */
        BAD_NAME,
        /** The same entry name twice. */
        DUPLICATE_ENTRY,
        /** Bytes after the {@code .dat} trailer. */
        TRAILING_BYTES,
        /** A NaN or infinite value or count: llama-quantize aborts on any. */
        NON_FINITE_VALUE,
        /** A negative sum of squares or count. */
        NEGATIVE_VALUE,
        /** The GGUF container itself is refused; the cause is the {@code GgufFormatException}. */
        BAD_GGUF,
        /** A GGUF whose {@code general.type} is not {@code "imatrix"}: a model, not an importance matrix. */
        NOT_AN_IMATRIX,
        /** One of {@code imatrix.datasets}, {@code imatrix.chunk_count}, {@code imatrix.chunk_size} is absent. */
        MISSING_KEY,
        /** A key of another type than llama.cpp writes (arr[str], u32, u32, str). */
        WRONG_VALUE_TYPE,
        /** An {@code .in_sum2} tensor without its {@code .counts}, or the other way round. */
        MISSING_PARTNER,
        /** An {@code .in_sum2} or {@code .counts} tensor that is not F32. */
        WRONG_TENSOR_TYPE,
        /** {@code .in_sum2} not {@code {ne0, nmat}}, or {@code .counts} not {@code {1, nmat}} for the same nmat. */
        BAD_SHAPE
    }

    private final Reason reason;
    private final String source;
    private final long offset;

    /** @param offset byte offset of the offending field, or -1 where there is no single position */
    public ImatrixFormatException(Reason reason, String source, long offset, String detail) {
        this(reason, source, offset, detail, null);
    }

    public ImatrixFormatException(Reason reason, String source, long offset, String detail, Throwable cause) {
        super("%s%s: %s [%s]".formatted(source, offset >= 0 ? " at offset " + offset : "", detail, reason), cause);
        this.reason = Objects.requireNonNull(reason, "reason");
        this.source = Objects.requireNonNull(source, "source");
        this.offset = offset;
    }

    public Reason reason() {
        return reason;
    }

    /** The file name or URI. */
    public String source() {
        return source;
    }

    /** Byte offset of the offending field, or -1. */
    public long offset() {
        return offset;
    }
}

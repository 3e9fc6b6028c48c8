package io.quantsweep.format.gguf;

import io.quantsweep.format.FormatException;

/**
 * A GGUF file (or set of split files) that this package refuses, with the {@link Reason} as a stable
 * name for tests and callers, and a message naming the file, the byte offset and the field.
 */
public final class GgufFormatException extends FormatException {
    private static final long serialVersionUID = 1L;

    /** Why a file is refused; each value has one case in the corruption catalogue test. */
    public enum Reason {
        /** The file ends inside a structure (a field, a string, an array, the padding before the data). */
        TRUNCATED,
        /** The first four bytes are not {@code GGUF}. */
        BAD_MAGIC,
        /** Version 0, 1 or above 3. */
        UNSUPPORTED_VERSION,
        /** The version reads as a byte-swapped number: a big-endian file. */
        BYTE_SWAPPED,
        /** A negative tensor or KV count, or one the rest of the file cannot hold. */
        BAD_COUNT,
        /** Metadata and tensor infos together exceed {@link GgufReader.Limits#maxHeaderBytes()}. */
        HEADER_TOO_LARGE,
        /** A string longer than {@link GgufReader.Limits#maxStringBytes()}. */
        STRING_TOO_LONG,
        /** An array longer than {@link GgufReader.Limits#maxArrayLength()}. */
        ARRAY_TOO_LONG,
        /** A key or string value that is not well-formed UTF-8. */
        BAD_UTF8,
        /** A KV key of zero length. */
        EMPTY_KEY,
        /** The same KV key twice. */
        DUPLICATE_KEY,
        /** A KV value type id outside 0..12. */
        UNKNOWN_VALUE_TYPE,
        /** An array whose element type is ARRAY (ggml refuses nested arrays). */
        NESTED_ARRAY,
        /** {@code general.alignment} is not a u32, or not a non-zero power of two. */
        BAD_ALIGNMENT,
        /** A tensor name that is empty or longer than 63 bytes. */
        BAD_TENSOR_NAME,
        /** The same tensor name twice. */
        DUPLICATE_TENSOR,
        /** More than 4 dimensions, a negative dimension, or a byte size that overflows. */
        BAD_DIMENSIONS,
        /** A ggml type id that is unknown or removed. */
        UNKNOWN_TENSOR_TYPE,
        /** {@code ne[0]} is not a multiple of the type's block size. */
        ROW_NOT_BLOCK_ALIGNED,
        /** A tensor offset that is not the dense, aligned, in-order offset ggml requires. */
        OFFSET_MISMATCH,
        /** A tensor's bytes extend past the end of the file. */
        TENSOR_BEYOND_EOF,
        /** Bytes after the padded end of the last tensor. */
        TRAILING_BYTES,
        /** A key the caller requires is absent. */
        MISSING_KEY,
        /** A key the caller requires has another value type. */
        WRONG_VALUE_TYPE,
        /** Shards of a split set that disagree (count, index, total tensors, missing shard). */
        SPLIT_MISMATCH
    }

    private final Reason reason;
    private final String source;
    private final long offset;

    /**
     * @param offset byte offset of the offending field in {@code source}, or -1 where the problem
     *               has no single position (a missing key, a set of shards)
     */
    public GgufFormatException(Reason reason, String source, long offset, String detail) {
        super(format(reason, source, offset, detail));
        this.reason = reason;
        this.source = source;
        this.offset = offset;
    }

    private static String format(Reason reason, String source, long offset, String detail) {
        String at = offset >= 0 ? " at offset " + offset : "";
        return "%s%s: %s [%s]".formatted(source, at, detail, reason);
    }

    public Reason reason() {
        return reason;
    }

    /** The file (or byte source) name. */
    public String source() {
        return source;
    }

    /** Byte offset of the offending field, or -1. */
    public long offset() {
        return offset;
    }
}

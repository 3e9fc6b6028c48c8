package io.quantsweep.format.gguf;

/**
 * Fixed facts of the GGUF v3 container (spec §1): magic, version, default alignment, the
 * well-known keys this package interprets, and ggml's {@code PAD(x, n)}.
 */
public final class Gguf {
    /** {@code "GGUF"} read as a little-endian u32. */
    public static final int MAGIC = 0x46554747;
    /** The version this package writes; the reader also accepts 2, whose layout is the same. */
    public static final int VERSION = 3;
    /** ggml's {@code GGUF_DEFAULT_ALIGNMENT}, used when {@code general.alignment} is absent. */
    public static final long DEFAULT_ALIGNMENT = 32;
    /** ggml's {@code GGML_MAX_DIMS}. */
    public static final int MAX_DIMS = 4;
    /** ggml's {@code GGML_MAX_NAME}: tensor names are at most 63 bytes (64 with the C terminator). */
    public static final int MAX_TENSOR_NAME_BYTES = 63;

    public static final String KEY_ALIGNMENT = "general.alignment";
    public static final String KEY_SPLIT_NO = "split.no";
    public static final String KEY_SPLIT_COUNT = "split.count";
    public static final String KEY_SPLIT_TENSORS_COUNT = "split.tensors.count";

    private Gguf() {
    }

    /** ggml's {@code GGML_PAD(x, n)} for a power-of-two {@code n}: {@code x} rounded up to a multiple of {@code n}. */
    public static long pad(long x, long n) {
        return Math.addExact(x, n - 1) & -n;
    }

    /** True for the alignments ggml accepts: non-zero powers of two that fit a u32. */
    public static boolean isValidAlignment(long a) {
        return a > 0 && a <= 0xFFFF_FFFFL && Long.bitCount(a) == 1;
    }
}

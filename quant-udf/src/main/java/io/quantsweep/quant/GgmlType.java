package io.quantsweep.quant;

import java.util.Locale;

/**
 * Every ggml tensor type a GGUF file can name, with the facts ggml keeps in its type-traits table.
 *
 * <p>Ids are ggml's on-disk ids ({@code enum ggml_type} in ggml.h), never the ordinal; removed ids
 * (4, 5, 31-33, 36-38) have no constant and {@link #fromId} refuses them by number. Block sizes and
 * bytes are the sizes of ggml's C block structs; {@code Q8_1} and {@code Q8_K} are runtime-only types
 * that never appear in files but are listed so a file naming them gets a precise refusal later.
 */
public enum GgmlType {
    F32(0, "f32", 1, 4),
    F16(1, "f16", 1, 2),
    Q4_0(2, "q4_0", 32, 18),
    Q4_1(3, "q4_1", 32, 20),
    Q5_0(6, "q5_0", 32, 22),
    Q5_1(7, "q5_1", 32, 24),
    Q8_0(8, "q8_0", 32, 34),
    Q8_1(9, "q8_1", 32, 36),
    Q2_K(10, "q2_K", 256, 84),
    Q3_K(11, "q3_K", 256, 110),
    Q4_K(12, "q4_K", 256, 144),
    Q5_K(13, "q5_K", 256, 176),
    Q6_K(14, "q6_K", 256, 210),
    Q8_K(15, "q8_K", 256, 292),
    IQ2_XXS(16, "iq2_xxs", 256, 66),
    IQ2_XS(17, "iq2_xs", 256, 74),
    IQ3_XXS(18, "iq3_xxs", 256, 98),
    IQ1_S(19, "iq1_s", 256, 50),
    IQ4_NL(20, "iq4_nl", 32, 18),
    IQ3_S(21, "iq3_s", 256, 110),
    IQ2_S(22, "iq2_s", 256, 82),
    IQ4_XS(23, "iq4_xs", 256, 136),
    I8(24, "i8", 1, 1),
    I16(25, "i16", 1, 2),
    I32(26, "i32", 1, 4),
    I64(27, "i64", 1, 8),
    F64(28, "f64", 1, 8),
    IQ1_M(29, "iq1_m", 256, 56),
    BF16(30, "bf16", 1, 2),
    TQ1_0(34, "tq1_0", 256, 54),
    TQ2_0(35, "tq2_0", 256, 66),
    MXFP4(39, "mxfp4", 32, 17),
    NVFP4(40, "nvfp4", 64, 36),
    Q1_0(41, "q1_0", 128, 18),
    Q2_0(42, "q2_0", 64, 18);

    private static final GgmlType[] BY_ID = new GgmlType[43];

    static {
        for (GgmlType t : values()) {
            BY_ID[t.id] = t;
        }
    }

    private final int id;
    private final String ggmlName;
    private final int blockSize;
    private final int blockBytes;

    GgmlType(int id, String ggmlName, int blockSize, int blockBytes) {
        this.id = id;
        this.ggmlName = ggmlName;
        this.blockSize = blockSize;
        this.blockBytes = blockBytes;
    }

    /** ggml's numeric type id, as stored in GGUF tensor infos. */
    public int id() {
        return id;
    }

    /** ggml's own spelling ({@code "q4_K"}), as {@code ggml_type_name} returns it. */
    public String ggmlName() {
        return ggmlName;
    }

    /** Elements per block. */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes per block. */
    public int blockBytes() {
        return blockBytes;
    }

    /** True for block-quantized types, false for plain numbers (floats and integers). */
    public boolean quantized() {
        return blockSize > 1;
    }

    /** Bits per weight: {@code 8 * blockBytes / blockSize}. */
    public double bitsPerWeight() {
        return 8.0 * blockBytes / blockSize;
    }

    /**
     * Bytes of {@code n} elements of this type.
     *
     * @throws IllegalArgumentException if {@code n} is negative or not a multiple of the block size
     */
    public long bytesFor(long n) {
        if (n < 0 || n % blockSize != 0) {
            throw new IllegalArgumentException(
                    "%s: %d elements is not a multiple of the block size %d".formatted(this, n, blockSize));
        }
        return Math.multiplyExact(n / blockSize, (long) blockBytes);
    }

    /** The type with ggml id {@code id}; refuses removed and unknown ids with the number. */
    public static GgmlType fromId(int id) {
        GgmlType t = id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
        if (t == null) {
            throw new IllegalArgumentException("unknown or removed ggml type id " + id);
        }
        return t;
    }

    /** Parses {@code Q4_K}, {@code q4_k} or ggml's {@code q4_K}; refuses anything else with the name. */
    public static GgmlType parse(String name) {
        String upper = name.trim().toUpperCase(Locale.ROOT);
        for (GgmlType t : values()) {
            if (t.name().equals(upper)) {
                return t;
            }
        }
        throw new IllegalArgumentException("unknown ggml type '" + name + "'");
    }
}

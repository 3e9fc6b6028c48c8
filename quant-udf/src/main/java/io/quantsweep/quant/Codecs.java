package io.quantsweep.quant;

import io.quantsweep.quant.codec.BF16Codec;
import io.quantsweep.quant.codec.CodecImplementations;
import io.quantsweep.quant.codec.F16Codec;
import io.quantsweep.quant.codec.F32Codec;
import io.quantsweep.quant.codec.IQ4_NLCodec;
import io.quantsweep.quant.codec.IQ4_XSCodec;
import io.quantsweep.quant.codec.Q2_KCodec;
import io.quantsweep.quant.codec.Q3_KCodec;
import io.quantsweep.quant.codec.Q4_0Codec;
import io.quantsweep.quant.codec.Q4_1Codec;
import io.quantsweep.quant.codec.Q4_KCodec;
import io.quantsweep.quant.codec.Q5_0Codec;
import io.quantsweep.quant.codec.Q5_1Codec;
import io.quantsweep.quant.codec.Q5_KCodec;
import io.quantsweep.quant.codec.Q6_KCodec;
import io.quantsweep.quant.codec.Q8_0Codec;
import io.quantsweep.quant.codec.VectorScans;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The codec table (ggml's {@code type_traits}) and the validated entry points that untrusted rows go
 * through: {@code ggml_quantize_chunk}'s checks, with errors that say what and where. Each type maps to
 * the implementations {@link CodecImplementations} finds for this JVM; {@link #of} is the fastest.
 */
public final class Codecs {
    private static final Map<GgmlType, List<Codec>> TABLE = new EnumMap<>(GgmlType.class);
    private static final boolean VECTOR = CodecImplementations.vectorSkipped().isEmpty();

    static {
        register(new F32Codec());
        register(new F16Codec());
        register(new Q4_0Codec());
        register(new Q4_1Codec());
        register(new Q5_0Codec());
        register(new Q5_1Codec());
        register(new Q8_0Codec());
        register(new Q2_KCodec());
        register(new Q3_KCodec());
        register(new Q4_KCodec());
        register(new Q5_KCodec());
        register(new Q6_KCodec());
        register(new IQ4_NLCodec());
        register(new IQ4_XSCodec());
        register(new BF16Codec());
    }

    private Codecs() {
    }

    private static void register(Codec scalar) {
        TABLE.put(scalar.type(), CodecImplementations.of(scalar));
    }

    /** The types that have a codec. */
    public static Set<GgmlType> supported() {
        return Collections.unmodifiableSet(TABLE.keySet());
    }

    /** The codec of {@code type}; refuses a type without one, naming it. */
    public static Codec of(GgmlType type) {
        return implementations(type).get(0);
    }

    /**
     * Every implementation of {@code type} that runs in this JVM, the one {@link #of} returns first and the
     * scalar reference last; all write the same bytes. Refuses a type without a codec, naming it.
     */
    public static List<Codec> implementations(GgmlType type) {
        List<Codec> codecs = TABLE.get(type);
        if (codecs == null) {
            throw new IllegalArgumentException("no codec for ggml type " + type + "; supported: " + TABLE.keySet());
        }
        return codecs;
    }

    /**
     * Quantizes {@code rows.length / cols} rows of {@code cols} values into ggml bytes.
     *
     * @param importance {@code null}, or one finite non-negative weight per column
     * @throws IllegalArgumentException for a row length that is not a multiple of the block size, a
     *     partial last row, a NaN or infinite value (naming its row and column), or a bad importance vector
     */
    public static byte[] quantize(GgmlType type, float[] rows, int cols, float[] importance) {
        Codec codec = of(type);
        int nRows = checkRows(type, rows, 0, rows.length, cols, importance);
        byte[] out = new byte[Math.toIntExact(Math.multiplyExact((long) nRows, type.bytesFor(cols)))];
        codec.quantizeRows(rows, 0, nRows, cols, importance, out, 0);
        return out;
    }

    /** Refuses a row length {@code cols} that {@code type}'s blocks do not divide: a codec encodes whole blocks. */
    public static void checkRowLength(GgmlType type, int cols) {
        if (cols <= 0 || cols % type.blockSize() != 0) {
            throw new IllegalArgumentException("%s: row length %d is not a positive multiple of the block size %d"
                    .formatted(type, cols, type.blockSize()));
        }
    }

    /**
     * Checks {@code x[off..off+len)} as rows of {@code cols} values for {@code type} and returns the
     * number of rows; see {@link #quantize} for what is refused.
     */
    public static int checkRows(GgmlType type, float[] x, int off, int len, int cols, float[] importance) {
        checkRowLength(type, cols);
        if (len % cols != 0) {
            throw new IllegalArgumentException("%s: %d values do not make whole rows of %d (%d left over)"
                    .formatted(type, len, cols, len % cols));
        }
        int bad = firstNonFinite(x, off, len);
        if (bad >= 0) {
            throw new IllegalArgumentException("%s: input value %s at row %d, column %d is not finite"
                    .formatted(type, x[off + bad], bad / cols, bad % cols));
        }
        if (importance != null) {
            if (importance.length != cols) {
                throw new IllegalArgumentException("%s: importance vector has %d weights, rows have %d columns"
                        .formatted(type, importance.length, cols));
            }
            for (int c = 0; c < cols; c++) {
                if (!(Float.isFinite(importance[c]) && importance[c] >= 0)) {
                    throw new IllegalArgumentException("%s: importance weight %s at column %d is not finite and non-negative"
                            .formatted(type, importance[c], c));
                }
            }
        }
        return len / cols;
    }

    /** Index of the first NaN or infinity in {@code x[off..off+n)} counted from {@code off}, or -1. */
    public static int firstNonFinite(float[] x, int off, int n) {
        Objects.checkFromIndexSize(off, n, x.length);
        int i = VECTOR ? VectorScans.finitePrefix(x, off, n) : 0;
        for (; i < n; i++) {
            if (!Float.isFinite(x[off + i])) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Decodes {@code n} values of {@code type} from {@code data}, which must hold exactly their bytes.
     *
     * @throws IllegalArgumentException if {@code n} is not a multiple of the block size or the byte
     *     count is not {@code type.bytesFor(n)}
     */
    public static float[] dequantize(GgmlType type, byte[] data, int n) {
        Codec codec = of(type);
        long expected = type.bytesFor(n);
        if (data.length != expected) {
            throw new IllegalArgumentException("%s: %d values need %d bytes, got %d"
                    .formatted(type, n, expected, data.length));
        }
        float[] out = new float[n];
        codec.dequantizeRow(data, 0, n, out, 0);
        return out;
    }
}

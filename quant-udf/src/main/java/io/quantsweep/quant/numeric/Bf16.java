package io.quantsweep.quant.numeric;

import io.quantsweep.quant.codec.CodecImplementations;
import io.quantsweep.quant.codec.VectorScans;
import java.util.Objects;

/** bfloat16 conversions as ggml does them: round-to-nearest-even, NaN forced quiet, no flush to zero. */
public final class Bf16 {
    private static final boolean VECTOR = CodecImplementations.vectorSkipped().isEmpty();

    private Bf16() {
    }

    /** binary32 to bfloat16 bits, ggml's {@code ggml_compute_fp32_to_bf16}. */
    public static short fromFloat(float f) {
        int u = Float.floatToRawIntBits(f);
        if ((u & 0x7FFFFFFF) > 0x7F800000) {
            return (short) ((u >>> 16) | 0x0040);
        }
        // Unsigned 32-bit arithmetic: the carry out of the top bit is dropped, as in C's uint32_t.
        return (short) ((u + 0x7FFF + ((u >>> 16) & 1)) >>> 16);
    }

    /** bfloat16 bits to binary32, exact. */
    public static float toFloat(short h) {
        return Float.intBitsToFloat((h & 0xFFFF) << 16);
    }

    /**
     * {@code dst[dstOff..dstOff+n)} = {@code src[srcOff..)} rounded to bfloat16 and widened back: the values
     * a BF16 GGUF holds. {@code dst} may be {@code src}.
     */
    public static void round(float[] src, int srcOff, float[] dst, int dstOff, int n) {
        Objects.checkFromIndexSize(srcOff, n, src.length);
        Objects.checkFromIndexSize(dstOff, n, dst.length);
        int i = VECTOR ? VectorScans.roundToBf16(src, srcOff, dst, dstOff, n) : 0;
        for (; i < n; i++) {
            dst[dstOff + i] = toFloat(fromFloat(src[srcOff + i]));
        }
    }
}

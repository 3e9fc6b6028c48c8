package io.quantsweep.quant;

/**
 * What a row of float32 becomes in one ggml type, and back: ggml's quantize/dequantize pair.
 *
 * <p>Implementations are stateless and thread-safe: any scratch space lives in the call. They trust
 * their arguments (lengths, finiteness); {@link Codecs} validates untrusted input before calling them.
 * Output bytes are laid out exactly as ggml lays them out in memory and in a GGUF tensor.
 */
public interface Codec {

    /** The ggml type this codec writes. */
    GgmlType type();

    /**
     * Quantizes one row of {@code n} values ({@code n} a multiple of the block size) read from
     * {@code x[xOff..xOff+n)} into {@code type().bytesFor(n)} bytes at {@code dst[dstOff]}.
     *
     * @param importance {@code null} for ggml's reference quantizer ({@code quantize_row_*_ref}),
     *     else one non-negative weight per column of the row ({@code importance[0..n)}), which selects
     *     ggml's importance-weighted path; types whose ggml quantizer ignores it (Q8_0, F16, BF16,
     *     F32) ignore it too
     */
    void quantizeRow(float[] x, int xOff, int n, float[] importance, byte[] dst, int dstOff);

    /** Decodes {@code n} values from {@code src[srcOff..)} into {@code y[yOff..yOff+n)}. */
    void dequantizeRow(byte[] src, int srcOff, int n, float[] y, int yOff);

    /**
     * Quantizes {@code rows} consecutive rows of {@code cols} values each; row r starts at
     * {@code x[xOff + r*cols]} and its bytes at {@code dst[dstOff + r*rowBytes]}. Batch codecs (the GPU)
     * override this; the result is the same as one {@link #quantizeRow} per row.
     */
    default void quantizeRows(float[] x, int xOff, int rows, int cols, float[] importance, byte[] dst, int dstOff) {
        int rowBytes = Math.toIntExact(type().bytesFor(cols));
        for (int r = 0; r < rows; r++) {
            quantizeRow(x, xOff + r * cols, cols, importance, dst, dstOff + r * rowBytes);
        }
    }
}

package io.quantsweep.quant.codec;

import io.quantsweep.quant.LittleEndian;
import io.quantsweep.quant.numeric.Fp16;

/**
 * What Q4_K and Q5_K share: super-blocks of 256 in 8 sub-blocks of 32 starting
 * {@code half d; half dmin; u8 scales[12]} (16 bytes), with a 6-bit scale {@code sc_j} and min
 * {@code m_j} per sub-block packed as ggml's {@code get_scale_min_k4} reads them, and
 * {@code x = (d·sc_j)·q − dmin·m_j} for levels q in 0..nmax. The subclasses store the levels.
 *
 * <p>Without importance this is ggml's {@code quantize_row_qX_K_ref}: per sub-block
 * {@code make_qkx2_quants} with weights {@code sqrt(mean x²) + |x|}, scales and mins scaled linearly to
 * 6 bits. With importance it is {@code quantize_row_qX_K_impl}: {@code make_qkx3_quants} with weights
 * {@code qw·sqrt(σ² + x²)}, σ² = 2·mean x² over the super-block, scales and mins quantized by
 * {@code make_qp_quants}. Both then refit the levels to the stored fp16 scales.
 */
abstract sealed class ScaleMinK4Codec implements LevelCodec permits Q4_KCodec, Q5_KCodec {
    static final int QK = 256;
    static final int SUB = 32;
    static final int N_SUB = QK / SUB;
    private static final int D = 0;
    private static final int DMIN = 2;
    private static final int SCALES = 4;
    /** Offset of the level bytes that {@link #packLevels} writes. */
    static final int LEVELS = 16;

    /**
     * The per-type constants of ggml's two quantizers: the level range 0..{@code nmax}; the
     * {@code rmin} and {@code nstep} the reference quantizer passes to {@code make_qkx2_quants}; whether
     * the importance path caps the 6-bit scale levels at 63 (ggml's Q5_K does, Q4_K does not; it
     * matters only if a sub-block scale comes out negative).
     */
    record Params(int nmax, float refRmin, int refNstep, boolean capsImportanceLevels) {
    }

    private final Params params;

    ScaleMinK4Codec(Params params) {
        this.params = params;
    }

    /** Stores the 256 levels {@code L[lOff..)} (0..nmax) of one super-block at {@code dst[blockOff + LEVELS..)}. */
    abstract void packLevels(byte[] L, int lOff, byte[] dst, int blockOff);

    /** Reads back the 256 levels that {@link #packLevels} stored in the block at {@code src[blockOff]}. */
    abstract void unpackLevels(byte[] src, int blockOff, byte[] L);

    /** The low 4 bits of the levels: element {@code 64c + 32hi + l} into nibble hi of {@code qs[32c + l]}. */
    static void packNibbles(byte[] L, int lOff, byte[] qs, int off) {
        for (int c = 0; c < 4; c++) {
            for (int l = 0; l < 32; l++) {
                qs[off + 32 * c + l] = (byte) (L[lOff + 64 * c + l] & 15 | (L[lOff + 64 * c + 32 + l] & 15) << 4);
            }
        }
    }

    /** Inverse of {@link #packNibbles}: levels 0..15. */
    static void unpackNibbles(byte[] qs, int off, byte[] L) {
        for (int c = 0; c < 4; c++) {
            for (int l = 0; l < 32; l++) {
                int b = qs[off + 32 * c + l];
                L[64 * c + l] = (byte) (b & 15);
                L[64 * c + 32 + l] = (byte) (b >> 4 & 15);
            }
        }
    }

    /** The level range 0..nmax and the constants of ggml's two quantizers. */
    Params params() {
        return params;
    }

    @Override
    public void quantizeRow(float[] x, int xOff, int n, float[] importance, byte[] dst, int dstOff) {
        int blockBytes = type().blockBytes();
        byte[] L = new byte[QK];
        byte[] laux = new byte[SUB];
        float[] weights = new float[SUB];
        float[] scales = new float[N_SUB];
        float[] mins = new float[N_SUB];
        float[] sw = new float[N_SUB];
        byte[] ls = new byte[N_SUB];
        byte[] lm = new byte[N_SUB];
        for (int b = 0; b < n / QK; b++) {
            int xb = xOff + b * QK;
            int out = dstOff + b * blockBytes;
            if (importance == null) {
                for (int j = 0; j < N_SUB; j++) {
                    int xs = xb + SUB * j;
                    refWeights(x, xs, weights);
                    scales[j] = KQuants.makeQkx2Quants(SUB, params.nmax(), x, xs, weights, L, SUB * j, mins, j, laux,
                            params.refRmin(), 0.1f, params.refNstep(), false);
                }
                encodeScalesRef(scales, mins, 0, ls, lm, dst, out);
            } else {
                float sigma2 = importanceSigma2(KQuants.sumOfSquares(x, xb, QK));
                for (int j = 0; j < N_SUB; j++) {
                    int xs = xb + SUB * j;
                    sw[j] = KQuants.importanceWeights(importance, b * QK + SUB * j, x, xs, SUB, sigma2, weights);
                    scales[j] = KQuants.makeQkx3Quants(SUB, params.nmax(), x, xs, weights, L, SUB * j, mins, j, laux,
                            -0.9f, 0.05f, 36, false);
                }
                encodeScalesImpl(scales, mins, sw, 0, ls, lm, dst, out);
            }
            requantizeAndPack(x, xb, L, 0, dst, out, Refit.SCALAR);
        }
    }

    /**
     * The reference quantizer's weights of the sub-block at {@code x[xs..xs+32)}:
     * {@code sqrt(Σx²/32) + |x|}.
     */
    static void refWeights(float[] x, int xs, float[] weights) {
        float avX = (float) Math.sqrt(KQuants.sumOfSquares(x, xs, SUB) / SUB);
        for (int l = 0; l < SUB; l++) {
            weights[l] = avX + Math.abs(x[xs + l]);
        }
    }

    /** The importance quantizer's σ² of a super-block from the sum of its 256 squares: {@code 2·Σx²/256}. */
    static float importanceSigma2(float sumX2) {
        return 2 * sumX2 / QK;
    }

    /**
     * The reference quantizer's 6-bit scales and mins (the super-block's 8 sub-block results at
     * {@code scales[off..off+8)}, {@code mins[off..)}) scaled linearly to the largest, with d and dmin.
     */
    static void encodeScalesRef(float[] scales, float[] mins, int off, byte[] ls, byte[] lm, byte[] dst, int out) {
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < N_SUB; j++) {
            if (scales[off + j] > maxScale) {
                maxScale = scales[off + j];
            }
            if (mins[off + j] > maxMin) {
                maxMin = mins[off + j];
            }
        }
        float invScale = maxScale > 0 ? 63f / maxScale : 0f;
        float invMin = maxMin > 0 ? 63f / maxMin : 0f;
        for (int j = 0; j < N_SUB; j++) {
            ls[j] = (byte) Math.min(63, KQuants.nearestInt(invScale * scales[off + j]) & 0xFF);
            lm[j] = (byte) Math.min(63, KQuants.nearestInt(invMin * mins[off + j]) & 0xFF);
        }
        KQuants.packScalesK4(ls, lm, dst, out + SCALES);
        LittleEndian.putShort(dst, out + D, Fp16.fromFloat(maxScale / 63f));
        LittleEndian.putShort(dst, out + DMIN, Fp16.fromFloat(maxMin / 63f));
    }

    /**
     * The importance quantizer's scales and mins: {@code make_qp_quants} on the super-block's 8 sub-block
     * results at {@code scales[off..off+8)}, {@code mins[off..)}, weighted by their weight sums {@code sw[off..)}.
     */
    void encodeScalesImpl(float[] scales, float[] mins, float[] sw, int off, byte[] ls, byte[] lm, byte[] dst,
                          int out) {
        float dBlock = KQuants.makeQpQuants(N_SUB, 63, scales, off, ls, sw, off);
        float mBlock = KQuants.makeQpQuants(N_SUB, 63, mins, off, lm, sw, off);
        if (params.capsImportanceLevels()) {
            for (int j = 0; j < N_SUB; j++) {
                ls[j] = (byte) Math.min(63, ls[j] & 0xFF);
                lm[j] = (byte) Math.min(63, lm[j] & 0xFF);
            }
        }
        KQuants.packScalesK4(ls, lm, dst, out + SCALES);
        LittleEndian.putShort(dst, out + D, Fp16.fromFloat(dBlock));
        LittleEndian.putShort(dst, out + DMIN, Fp16.fromFloat(mBlock));
    }

    /**
     * The common tail of both quantizers: the search's levels {@code L[lOff..lOff+256)} refitted to the
     * stored fp16 scales and mins, then stored.
     */
    void requantizeAndPack(float[] x, int xb, byte[] L, int lOff, byte[] dst, int out, Refit refit) {
        float d = Fp16.toFloat(LittleEndian.getShort(dst, out + D));
        float dmin = Fp16.toFloat(LittleEndian.getShort(dst, out + DMIN));
        for (int j = 0; j < N_SUB; j++) {
            int sc = KQuants.scaleK4(dst, out + SCALES, j);
            int m = KQuants.minK4(dst, out + SCALES, j);
            KQuants.requantizeWithMin(refit, SUB, params.nmax(), x, xb + SUB * j, d, sc, dmin, m, L, lOff + SUB * j);
        }
        packLevels(L, lOff, dst, out);
    }

    @Override
    public void dequantizeRow(byte[] src, int srcOff, int n, float[] y, int yOff, LevelScaler levels) {
        int blockBytes = type().blockBytes();
        byte[] L = new byte[QK];
        for (int b = 0; b < n / QK; b++) {
            int in = srcOff + b * blockBytes;
            int yb = yOff + b * QK;
            float d = Fp16.toFloat(LittleEndian.getShort(src, in + D));
            float dmin = Fp16.toFloat(LittleEndian.getShort(src, in + DMIN));
            unpackLevels(src, in, L);
            for (int j = 0; j < N_SUB; j++) {
                float d1 = d * KQuants.scaleK4(src, in + SCALES, j);
                float m1 = dmin * KQuants.minK4(src, in + SCALES, j);
                levels.scale(L, SUB * j, SUB, d1, m1, y, yb + SUB * j);
            }
        }
    }
}

package io.quantsweep.quant.codec;

import io.quantsweep.quant.LittleEndian;
import io.quantsweep.quant.numeric.Fp16;
import java.util.Arrays;

/**
 * Scalar maths shared by the quantizers, named after ggml's functions so the two can be read side by
 * side. Every float operation is evaluated in the order ggml writes it, each rounded to binary32; no
 * {@code Math.fma}, no reassociation, sums in index order.
 */
final class KQuants {
    /** ggml's {@code GROUP_MAX_EPS}: a group whose largest magnitude is below this quantizes to zeros. */
    static final float GROUP_MAX_EPS = 1e-15f;

    private KQuants() {
    }

    /**
     * ggml's {@code nearest_int}: round half to even, exact for |f| ≤ 4194303 (ggml asserts that range;
     * callers only pass bounded values).
     */
    static int nearestInt(float f) {
        return (int) Math.rint(f);
    }

    /**
     * C's {@code roundf}: round half away from zero. The {@code +0.5} is done in double so that
     * 0.49999997f does not round up ({@code Math.round} would also be wrong: it rounds halves up).
     */
    static int roundf(float f) {
        return (int) Math.copySign(Math.floor(Math.abs((double) f) + 0.5), f);
    }

    // ---- Legacy 32-blocks and IQ4_NL/IQ4_XS: search helpers, weights and nibble packing ----

    /** ggml's {@code kvalues_iq4nl}: the 16 non-linear levels of IQ4_NL and IQ4_XS, ascending. */
    static final byte[] KVALUES_IQ4NL = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    /**
     * ggml's {@code best_index_int8}: the index of the level of {@code values[0..n)} (ascending) nearest
     * to {@code x}, by bisection; a tie goes to the upper level.
     */
    static int bestIndexInt8(int n, byte[] values, float x) {
        if (x <= values[0]) {
            return 0;
        }
        if (x >= values[n - 1]) {
            return n - 1;
        }
        int lo = 0;
        int hi = n - 1;
        while (hi - lo > 1) {
            int mid = (lo + hi) / 2;
            if (x < values[mid]) {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        return x - values[hi - 1] < values[hi] - x ? hi - 1 : hi;
    }

    /** {@code Σ x[off+i]²} over {@code n} values, in index order: the σ² numerator of the imatrix paths. */
    static float sumOfSquares(float[] x, int off, int n) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            sum += x[off + i] * x[off + i];
        }
        return sum;
    }

    /**
     * The imatrix weights ggml's {@code *_impl} quantizers fit with:
     * {@code w[i] = qw[qwOff+i] * sqrtf(sigma2 + x[xOff+i]²)} for {@code i < n}.
     */
    static void importanceWeights(float[] qw, int qwOff, float[] x, int xOff, int n, float sigma2, float[] w) {
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            w[i] = qw[qwOff + i] * (float) Math.sqrt(sigma2 + xi * xi);
        }
    }

    /**
     * ggml's {@code make_qx_quants} with {@code rmse_type = 1} (the only one its callers use): a
     * symmetric scale for {@code x[xOff..xOff+n)} fitted by weighted least squares over 19 candidate
     * inverse scales; writes the levels {@code l + nmax} (in {@code 0..2·nmax-1}) to {@code L[lOff..)}
     * and returns the scale. Weights are {@code qw[qwOff..)}, or {@code x²} when {@code qw} is null.
     */
    static float makeQxQuants(int n, int nmax, float[] x, int xOff, byte[] L, int lOff, float[] qw, int qwOff) {
        float amax = 0f;
        float max = 0f;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xOff + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xOff + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
            Arrays.fill(L, lOff, lOff + n, (byte) 0);
            return 0f;
        }
        float iscale = -nmax / max;
        float sumlx = 0f;
        float suml2 = 0f;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            int l = clampedLevel(iscale * xi, nmax);
            L[lOff + i] = (byte) (l + nmax);
            float w = qw != null ? qw[qwOff + i] : xi * xi;
            sumlx += w * xi * l;
            suml2 += w * l * l;
        }
        float scale = suml2 != 0f ? sumlx / suml2 : 0f;
        float best = scale * sumlx;
        for (int is = -9; is <= 9; is++) {
            if (is == 0) {
                continue;
            }
            iscale = -(nmax + 0.1f * is) / max;
            sumlx = 0f;
            suml2 = 0f;
            for (int i = 0; i < n; i++) {
                float xi = x[xOff + i];
                int l = clampedLevel(iscale * xi, nmax);
                float w = qw != null ? qw[qwOff + i] : xi * xi;
                sumlx += w * xi * l;
                suml2 += w * l * l;
            }
            if (suml2 > 0f && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; i++) {
                    L[lOff + i] = (byte) (nmax + clampedLevel(iscale * x[xOff + i], nmax));
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    private static int clampedLevel(float v, int nmax) {
        return Math.max(-nmax, Math.min(nmax - 1, nearestInt(v)));
    }

    /**
     * ggml's {@code make_qkx3_quants}: an asymmetric fit {@code x ≈ scale·L + min} of
     * {@code x[xOff..xOff+n)} with weights {@code weights[wOff..)}, minimising the weighted squared (or,
     * with {@code useMad}, absolute) error over {@code nstep+1} candidate scales
     * {@code (rmin + rdelta·is + nmax) / (max − min)}. Writes the levels ({@code 0..nmax}) to
     * {@code L[lOff..)}, {@code −min} to {@code theMin[minOff]}, and returns the scale; {@code laux} is
     * {@code n} bytes of scratch.
     */
    static float makeQkx3Quants(int n, int nmax, float[] x, int xOff, float[] weights, int wOff, byte[] L, int lOff,
                                float[] theMin, int minOff, byte[] laux, float rmin, float rdelta, int nstep,
                                boolean useMad) {
        float min = x[xOff];
        float max = x[xOff];
        float sumW = weights[wOff];
        float sumX = sumW * x[xOff];
        for (int i = 1; i < n; i++) {
            float xi = x[xOff + i];
            if (xi < min) {
                min = xi;
            }
            if (xi > max) {
                max = xi;
            }
            float w = weights[wOff + i];
            sumW += w;
            sumX += w * xi;
        }
        if (min > 0f) {
            min = 0f;
        }
        if (max <= min) {
            Arrays.fill(L, lOff, lOff + n, (byte) 0);
            theMin[minOff] = -min;
            return 0f;
        }
        float iscale = nmax / (max - min);
        float scale = 1f / iscale;
        for (int i = 0; i < n; i++) {
            L[lOff + i] = (byte) Math.max(0, Math.min(nmax, nearestInt(iscale * (x[xOff + i] - min))));
        }
        float bestError = fitError(n, x, xOff, weights, wOff, L, lOff, scale, min, useMad);
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0f;
            float sumL2 = 0f;
            float sumXL = 0f;
            for (int i = 0; i < n; i++) {
                float xi = x[xOff + i];
                int l = Math.max(0, Math.min(nmax, nearestInt(iscale * (xi - min))));
                laux[i] = (byte) l;
                float w = weights[wOff + i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXL += w * l * xi;
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0f) {
                float thisScale = (sumW * sumXL - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
                if (thisMin > 0f) {
                    thisMin = 0f;
                    thisScale = sumXL / sumL2;
                }
                float error = fitError(n, x, xOff, weights, wOff, laux, 0, thisScale, thisMin, useMad);
                if (error < bestError) {
                    System.arraycopy(laux, 0, L, lOff, n);
                    bestError = error;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        theMin[minOff] = -min;
        return scale;
    }

    /** {@code Σ w·f(scale·L + min − x)} in index order, {@code f} = |·| or square. */
    private static float fitError(int n, float[] x, int xOff, float[] weights, int wOff, byte[] L, int lOff,
                                  float scale, float min, boolean useMad) {
        float error = 0f;
        for (int i = 0; i < n; i++) {
            float diff = scale * L[lOff + i] + min - x[xOff + i];
            diff = useMad ? Math.abs(diff) : diff * diff;
            error += weights[wOff + i] * diff;
        }
        return error;
    }

    /**
     * The block body of ggml's {@code quantize_row_q4_0_ref} ({@code nmax} 8) and
     * {@code quantize_row_q5_0_ref} ({@code nmax} 16): {@code d = max / −nmax} of the first max-abs
     * element, levels {@code min(2·nmax−1, trunc(x/d + nmax + 0.5))} into {@code L[0..32)}; returns d.
     */
    static float symmetricRef(float[] x, int xOff, int nmax, byte[] L) {
        float amax = 0f;
        float max = 0f;
        for (int j = 0; j < 32; j++) {
            float ax = Math.abs(x[xOff + j]);
            if (ax > amax) {
                amax = ax;
                max = x[xOff + j];
            }
        }
        float d = max / -nmax;
        float id = d != 0f ? 1f / d : 0f;
        float offset = nmax + 0.5f;
        for (int j = 0; j < 32; j++) {
            L[j] = (byte) Math.min(2 * nmax - 1, (int) (x[xOff + j] * id + offset));
        }
        return d;
    }

    /**
     * The block body of ggml's {@code quantize_row_q4_1_ref} ({@code nmax} 15) and
     * {@code quantize_row_q5_1_ref} ({@code nmax} 31): {@code d = (max − min)/nmax}, levels
     * {@code min(qmax, trunc((x − min)/d + 0.5))} into {@code L[0..32)}; writes min to {@code min[0]} and
     * returns d. Q4_1 clamps ({@code qmax} 15); Q5_1 only narrows to u8 ({@code qmax} 255), and its
     * levels never exceed 31 anyway.
     */
    static float asymmetricRef(float[] x, int xOff, int nmax, int qmax, byte[] L, float[] min) {
        float lo = Float.MAX_VALUE;
        float hi = -Float.MAX_VALUE;
        for (int j = 0; j < 32; j++) {
            float v = x[xOff + j];
            if (v < lo) {
                lo = v;
            }
            if (v > hi) {
                hi = v;
            }
        }
        float d = (hi - lo) / nmax;
        float id = d != 0f ? 1f / d : 0f;
        for (int j = 0; j < 32; j++) {
            L[j] = (byte) Math.min(qmax, (int) ((x[xOff + j] - lo) * id + 0.5f));
        }
        min[0] = lo;
        return d;
    }

    /**
     * Packs 32 four-bit levels {@code L[lOff..lOff+32)} as ggml's 32-blocks store them: byte {@code j}
     * of {@code dst[off..off+16)} holds level {@code j} low and level {@code j+16} high.
     */
    static void packNibbles32(byte[] L, int lOff, byte[] dst, int off) {
        for (int j = 0; j < 16; j++) {
            dst[off + j] = (byte) ((L[lOff + j] & 15) | (L[lOff + j + 16] & 15) << 4);
        }
    }

    /**
     * Decodes 32 IQ4 nibbles packed as {@link #packNibbles32} at {@code src[off..off+16)}:
     * {@code y[yOff+i] = d·K[q_i]}, {@code K} = {@link #KVALUES_IQ4NL}.
     */
    static void dequantizeIq4Nibbles(byte[] src, int off, float d, float[] y, int yOff) {
        for (int j = 0; j < 16; j++) {
            int q = src[off + j] & 0xFF;
            y[yOff + j] = d * KVALUES_IQ4NL[q & 15];
            y[yOff + j + 16] = d * KVALUES_IQ4NL[q >> 4];
        }
    }

    /**
     * Packs 32 five-bit levels as Q5_0/Q5_1 store them: the low four bits as {@link #packNibbles32} at
     * {@code dst[qsOff]}, bit 4 of level {@code j} as bit {@code j} of the little-endian u32 at
     * {@code dst[qhOff]}.
     */
    static void packQ5(byte[] L, byte[] dst, int qhOff, int qsOff) {
        int qh = 0;
        for (int j = 0; j < 32; j++) {
            qh |= ((L[j] & 0x10) >>> 4) << j;
        }
        LittleEndian.putInt(dst, qhOff, qh);
        packNibbles32(L, 0, dst, qsOff);
    }

    /**
     * ggml's {@code quantize_row_iq4_nl_impl} for one super-block of {@code sb} values (32: IQ4_NL, one
     * scale; 256: IQ4_XS, eight 6-bit sub-scales under one fp16 scale) with {@code ntry} = 7, as
     * {@code ggml_quantize_chunk} calls it. Weights are {@code qw[qwOff..)}-based, or {@code x²} when
     * {@code qw} is null. Writes the fp16 scale at {@code dst[off]}, IQ4_XS's {@code scales_h}/{@code
     * scales_l} after it, and the nibbles; {@code weight} (32), {@code L} ({@code sb}) and
     * {@code scales} ({@code sb/32}) are scratch.
     */
    static void quantizeIq4NlImpl(int sb, float[] x, int xOff, float[] qw, int qwOff, byte[] dst, int off,
                                  float[] weight, byte[] L, float[] scales) {
        final int ntry = 7;
        final byte[] values = KVALUES_IQ4NL;
        float sigma2 = sumOfSquares(x, xOff, sb);
        sigma2 = sigma2 * (2f / sb);
        float amaxScale = 0f;
        float maxScale = 0f;
        for (int ib = 0; ib < sb / 32; ib++) {
            int xb = xOff + 32 * ib;
            if (qw != null) {
                importanceWeights(qw, qwOff + 32 * ib, x, xb, 32, sigma2, weight);
            } else {
                for (int j = 0; j < 32; j++) {
                    weight[j] = x[xb + j] * x[xb + j];
                }
            }
            float amax = 0f;
            float max = 0f;
            for (int j = 0; j < 32; j++) {
                float ax = Math.abs(x[xb + j]);
                if (ax > amax) {
                    amax = ax;
                    max = x[xb + j];
                }
            }
            if (amax < GROUP_MAX_EPS) {
                scales[ib] = 0f;
                continue;
            }
            float d = -max / values[0];
            float id = 1f / d;
            float sumqx = 0f;
            float sumq2 = 0f;
            for (int j = 0; j < 32; j++) {
                int l = bestIndexInt8(16, values, id * x[xb + j]);
                L[32 * ib + j] = (byte) l;
                float q = values[l];
                sumqx += weight[j] * q * x[xb + j];
                sumq2 += weight[j] * q * q;
            }
            d = sumq2 > 0f ? sumqx / sumq2 : 0f;
            float best = d * sumqx;
            for (int itry = -ntry; itry <= ntry; itry++) {
                id = (itry + values[0]) / max;
                sumqx = 0f;
                sumq2 = 0f;
                for (int j = 0; j < 32; j++) {
                    float q = values[bestIndexInt8(16, values, id * x[xb + j])];
                    sumqx += weight[j] * q * x[xb + j];
                    sumq2 += weight[j] * q * q;
                }
                if (sumq2 > 0f && sumqx * sumqx > best * sumq2) {
                    d = sumqx / sumq2;
                    best = d * sumqx;
                }
            }
            scales[ib] = d;
            if (Math.abs(d) > amaxScale) {
                amaxScale = Math.abs(d);
                maxScale = d;
            }
        }
        int qsOff;
        if (sb == 32) {
            LittleEndian.putShort(dst, off, Fp16.fromFloat(scales[0]));
            // The indices are refitted to the unrounded scale, not to the fp16 value stored.
            float id = scales[0] != 0f ? 1f / scales[0] : 0f;
            for (int j = 0; j < 32; j++) {
                L[j] = (byte) bestIndexInt8(16, values, id * x[xOff + j]);
            }
            qsOff = off + 2;
        } else {
            float d = -maxScale / 32;
            LittleEndian.putShort(dst, off, Fp16.fromFloat(d));
            float id = d != 0f ? 1f / d : 0f;
            int scalesH = 0;
            for (int ib = 0; ib < sb / 32; ib++) {
                int l = Math.max(-32, Math.min(31, nearestInt(id * scales[ib])));
                float dl = d * l;
                float idl = dl != 0f ? 1f / dl : 0f;
                for (int j = 0; j < 32; j++) {
                    L[32 * ib + j] = (byte) bestIndexInt8(16, values, idl * x[xOff + 32 * ib + j]);
                }
                l += 32;
                int scalesL = off + 4 + ib / 2;
                dst[scalesL] = (byte) (ib % 2 == 0 ? l & 15 : dst[scalesL] | (l & 15) << 4);
                scalesH |= (l >> 4) << (2 * ib);
            }
            LittleEndian.putShort(dst, off + 2, (short) scalesH);
            qsOff = off + 8;
        }
        for (int i = 0; i < sb / 32; i++) {
            packNibbles32(L, 32 * i, dst, qsOff + 16 * i);
        }
    }

    // ---- end of the legacy 32-block and IQ4 helpers ----
}

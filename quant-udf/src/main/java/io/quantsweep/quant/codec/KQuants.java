package io.quantsweep.quant.codec;

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
     * ggml's {@code nearest_int}, computed as ggml computes it: adding 1.5·2²³ in binary32 leaves the
     * rounded value in the low 22 mantissa bits. For |f| ≤ 4194303 (the range ggml asserts) this is
     * round half to even, {@code (int) Math.rint(f)}; outside it, it is whatever ggml's release build
     * produces. It is also several times cheaper than {@code Math.rint} and a cast.
     */
    static int nearestInt(float f) {
        return (Float.floatToRawIntBits(f + 12582912f) & 0x007fffff) - 0x00400000;
    }

    /**
     * ggml's {@code make_qx_quants} with {@code rmse_type = 1} (the only one its callers use): a symmetric
     * scale for {@code x[xOff..xOff+n)} on the grid {@code -nmax..nmax-1}, searched over 19 candidate
     * inverse scales for the least weighted squared error. Writes {@code l + nmax} (0..2·nmax-1) to
     * {@code quants[qOff..)}, or zeros for a group below {@link #GROUP_MAX_EPS}, and returns the scale.
     *
     * @param qw the weights at {@code qw[qwOff..)}, or {@code null} for ggml's default {@code x²}
     */
    static float makeQxQuants(int n, int nmax, float[] x, int xOff, byte[] quants, int qOff, float[] qw, int qwOff) {
        float max = firstMaxAbs(x, xOff, n);
        if (Math.abs(max) < GROUP_MAX_EPS) {
            Arrays.fill(quants, qOff, qOff + n, (byte) 0);
            return 0f;
        }
        float iscale = -nmax / max;
        float sumlx = 0f;
        float suml2 = 0f;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            int l = clamp(nearestInt(iscale * xi), -nmax, nmax - 1);
            quants[qOff + i] = (byte) (l + nmax);
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
                int l = clamp(nearestInt(iscale * xi), -nmax, nmax - 1);
                float w = qw != null ? qw[qwOff + i] : xi * xi;
                sumlx += w * xi * l;
                suml2 += w * l * l;
            }
            if (suml2 > 0f && sumlx * sumlx > best * suml2) {
                for (int i = 0; i < n; i++) {
                    quants[qOff + i] = (byte) (nmax + clamp(nearestInt(iscale * x[xOff + i]), -nmax, nmax - 1));
                }
                scale = sumlx / suml2;
                best = scale * sumlx;
            }
        }
        return scale;
    }

    /**
     * ggml's {@code make_q3_quants} with {@code do_rmse = true}: a symmetric scale for
     * {@code x[xOff..xOff+n)} on the grid {@code -nmax..nmax-1} with weights {@code x²}, refined by up to
     * five passes of coordinate descent on single quants. Writes {@code l + nmax} to {@code quants[qOff..)},
     * or zeros for a group below {@link #GROUP_MAX_EPS}, and returns the scale.
     */
    static float makeQ3Quants(int n, int nmax, float[] x, int xOff, byte[] quants, int qOff) {
        float max = firstMaxAbs(x, xOff, n);
        if (Math.abs(max) < GROUP_MAX_EPS) {
            Arrays.fill(quants, qOff, qOff + n, (byte) 0);
            return 0f;
        }
        float iscale = -nmax / max;
        float sumlx = 0f;
        float suml2 = 0f;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            int l = clamp(nearestInt(iscale * xi), -nmax, nmax - 1);
            quants[qOff + i] = (byte) l;
            float w = xi * xi;
            sumlx += w * xi * l;
            suml2 += w * l * l;
        }
        for (int itry = 0; itry < 5; itry++) {
            int changed = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[xOff + i];
                int li = quants[qOff + i];
                float w = xi * xi;
                float slx = sumlx - w * xi * li;
                if (slx > 0f) {
                    float sl2 = suml2 - w * li * li;
                    int nl = clamp(nearestInt(xi * sl2 / slx), -nmax, nmax - 1);
                    if (nl != li) {
                        slx += w * xi * nl;
                        sl2 += w * nl * nl;
                        if (sl2 > 0f && slx * slx * suml2 > sumlx * sumlx * sl2) {
                            quants[qOff + i] = (byte) nl;
                            sumlx = slx;
                            suml2 = sl2;
                            changed++;
                        }
                    }
                }
            }
            if (changed == 0) {
                break;
            }
        }
        for (int i = 0; i < n; i++) {
            quants[qOff + i] += nmax;
        }
        return suml2 > 0f ? sumlx / suml2 : 0f;
    }

    /**
     * The value of largest magnitude in {@code x[off..off+n)}, sign kept, as ggml's scale searches scan for it:
     * the first of equal magnitudes wins (its sign is the scale's), a NaN is passed over, and 0 when nothing
     * exceeds 0 in magnitude.
     */
    static float firstMaxAbs(float[] x, int off, int n) {
        float amax = 0f;
        float max = 0f;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[off + i]);
            if (ax > amax) {
                amax = ax;
                max = x[off + i];
            }
        }
        return max;
    }

    /** ggml's {@code MAX(lo, MIN(hi, v))} on ints. */
    static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    /**
     * C's {@code roundf}, then C's conversion of its result to an integer ({@link #cvtt}): round half away
     * from zero. The {@code +0.5} is done in double so that 0.49999997f does not round up
     * ({@code Math.round} would also be wrong: it rounds halves up). The double is exactly the float
     * {@code roundf} returns (an integer below 2²⁴, or f itself), so converting it is converting that float.
     */
    static int roundf(float f) {
        return cvtt(Math.copySign(Math.floor(Math.abs((double) f) + 0.5), f));
    }

    /**
     * C's truncating conversion of a float to an integer ({@code (int) f}, or to {@code int8_t} /
     * {@code uint8_t}, which keep the low byte) as x86-64 builds of ggml execute it: {@code cvttss2si} /
     * {@code cvttps2dq}, which give {@code INT_MIN} (0x80000000, low byte 0) for NaN and for anything
     * outside [−2³¹, 2³¹). Java's {@code (int)} saturates instead (+∞ → {@code MAX_VALUE}, NaN → 0).
     * It matters where a block's inverse scale overflowed to +∞ (values below ~1e-37): {@code x·id} is then
     * ±∞, or NaN for 0·∞. Java's cast already gives {@code MIN_VALUE} at and below −2³¹ (−∞ included); the
     * one comparison, true on the common path, sends NaN (unordered) and 2³¹ and above to it as well.
     */
    static int cvtt(float f) {
        return f < 2147483648f ? (int) f : Integer.MIN_VALUE;
    }

    /**
     * {@link #cvtt(float)} for a double ({@code cvttsd2si}): {@code INT_MIN} for NaN and wherever the
     * truncated value is outside the int range. For a double that holds a float's value it is exactly
     * {@code cvtt((float) v)}, without the narrowing (which costs {@link #roundf} a third of its speed).
     */
    static int cvtt(double v) {
        return v < 2147483648.0 ? (int) v : Integer.MIN_VALUE;
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
     * {@code w[i] = qw[qwOff+i] * sqrtf(sigma2 + x[xOff+i]²)} for {@code i < n}; returns {@code Σ w[i]} in
     * index order (the K-quants weigh their sub-block scales by it).
     */
    static float importanceWeights(float[] qw, int qwOff, float[] x, int xOff, int n, float sigma2, float[] w) {
        float sum = 0f;
        for (int i = 0; i < n; i++) {
            float xi = x[xOff + i];
            w[i] = qw[qwOff + i] * (float) Math.sqrt(sigma2 + xi * xi);
            sum += w[i];
        }
        return sum;
    }

    // ---- asymmetric K-quant search (Q2_K, Q4_K, Q5_K) and the K-quant block packing ----

    /**
     * ggml's {@code make_qkx2_quants}: fits {@code x[xOff..xOff+n)} as {@code scale·L + min} with levels
     * {@code L} in 0..nmax, minimising the {@code weights}-weighted squared (or, with {@code useMad},
     * absolute) error over {@code nstep+1} trial scales {@code (rmin + rdelta·is + nmax)/(max − min)}.
     * Writes the levels to {@code L[lOff..lOff+n)} and {@code −min} (≥ 0) to {@code theMin[minIdx]};
     * returns the scale.
     *
     * @param weights {@code weights[0..n)}, one per value
     * @param laux scratch of at least {@code n} bytes for the trial levels
     */
    static float makeQkx2Quants(int n, int nmax, float[] x, int xOff, float[] weights, byte[] L, int lOff,
                                float[] theMin, int minIdx, byte[] laux,
                                float rmin, float rdelta, int nstep, boolean useMad) {
        float min = x[xOff];
        float max = x[xOff];
        float sumW = weights[0];
        float sumX = sumW * x[xOff];
        for (int i = 1; i < n; i++) {
            float xi = x[xOff + i];
            if (xi < min) {
                min = xi;
            }
            if (xi > max) {
                max = xi;
            }
            float w = weights[i];
            sumW += w;
            sumX += w * xi;
        }
        if (min > 0) {
            min = 0;
        }
        if (max == min) {
            java.util.Arrays.fill(L, lOff, lOff + n, (byte) 0);
            theMin[minIdx] = -min;
            return 0f;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        for (int i = 0; i < n; i++) {
            L[lOff + i] = (byte) clamp(nearestInt(iscale * (x[xOff + i] - min)), 0, nmax);
        }
        float bestError = weightedError(n, x, xOff, weights, L, lOff, scale, min, useMad);
        for (int is = 0; is <= nstep; is++) {
            iscale = (rmin + rdelta * is + nmax) / (max - min);
            float sumL = 0;
            float sumL2 = 0;
            float sumXL = 0;
            for (int i = 0; i < n; i++) {
                float xi = x[xOff + i];
                int l = clamp(nearestInt(iscale * (xi - min)), 0, nmax);
                laux[i] = (byte) l;
                float w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXL += w * l * xi;
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float thisScale = (sumW * sumXL - sumX * sumL) / det;
                float thisMin = (sumL2 * sumX - sumL * sumXL) / det;
                if (thisMin > 0) {
                    thisMin = 0;
                    thisScale = sumXL / sumL2;
                }
                float error = weightedError(n, x, xOff, weights, laux, 0, thisScale, thisMin, useMad);
                if (error < bestError) {
                    System.arraycopy(laux, 0, L, lOff, n);
                    bestError = error;
                    scale = thisScale;
                    min = thisMin;
                }
            }
        }
        theMin[minIdx] = -min;
        return scale;
    }

    /**
     * ggml's {@code make_qkx3_quants} as the importance paths call it (explicit weights): the same search
     * as {@link #makeQkx2Quants}; ggml's {@code max <= min} degenerate test equals {@code max == min}
     * because {@code min} never exceeds {@code max}.
     */
    static float makeQkx3Quants(int n, int nmax, float[] x, int xOff, float[] weights, byte[] L, int lOff,
                                float[] theMin, int minIdx, byte[] laux,
                                float rmin, float rdelta, int nstep, boolean useMad) {
        return makeQkx2Quants(n, nmax, x, xOff, weights, L, lOff, theMin, minIdx, laux, rmin, rdelta, nstep, useMad);
    }

    /** {@code Σ w·f(scale·L + min − x)} in index order, f = |·| or square. */
    private static float weightedError(int n, float[] x, int xOff, float[] weights, byte[] L, int lOff,
                                       float scale, float min, boolean useMad) {
        float error = 0;
        for (int i = 0; i < n; i++) {
            float diff = scale * L[lOff + i] + min - x[xOff + i];
            diff = useMad ? Math.abs(diff) : diff * diff;
            error += weights[i] * diff;
        }
        return error;
    }

    /**
     * ggml's {@code make_qp_quants}: quantizes the non-negative {@code x[xOff..xOff+n)} (sub-block scales
     * or mins) to unsigned levels 0..nmax in {@code L[0..n)} (u8), choosing among nine trial scales by
     * {@code quantWeights[wOff..)}-weighted squared error and then refining levels one at a time (up to five
     * passes). Returns the scale, 0 when nothing is left to fit.
     */
    static float makeQpQuants(int n, int nmax, float[] x, int xOff, byte[] L, float[] quantWeights, int wOff) {
        float max = 0;
        for (int i = 0; i < n; i++) {
            max = max > x[xOff + i] ? max : x[xOff + i];
        }
        if (max < GROUP_MAX_EPS) {
            java.util.Arrays.fill(L, 0, n, (byte) 0);
            return 0f;
        }
        float iscale = nmax / max;
        for (int i = 0; i < n; i++) {
            L[i] = (byte) nearestInt(iscale * x[xOff + i]);
        }
        float scale = 1 / iscale;
        float bestMse = 0;
        for (int i = 0; i < n; i++) {
            float diff = x[xOff + i] - scale * (L[i] & 0xFF);
            bestMse += quantWeights[wOff + i] * diff * diff;
        }
        for (int is = -4; is <= 4; is++) {
            if (is == 0) {
                continue;
            }
            float iscaleIs = (0.1f * is + nmax) / max;
            float scaleIs = 1 / iscaleIs;
            float mse = 0;
            for (int i = 0; i < n; i++) {
                int l = Math.min(nmax, nearestInt(iscaleIs * x[xOff + i]));
                float diff = x[xOff + i] - scaleIs * l;
                mse += quantWeights[wOff + i] * diff * diff;
            }
            if (mse < bestMse) {
                bestMse = mse;
                iscale = iscaleIs;
            }
        }
        float sumlx = 0;
        float suml2 = 0;
        for (int i = 0; i < n; i++) {
            int l = Math.min(nmax, nearestInt(iscale * x[xOff + i]));
            L[i] = (byte) l;
            float w = quantWeights[wOff + i];
            sumlx += w * x[xOff + i] * l;
            suml2 += w * l * l;
        }
        for (int pass = 0; pass < 5; pass++) {
            int changed = 0;
            for (int i = 0; i < n; i++) {
                float w = quantWeights[wOff + i];
                int li = L[i] & 0xFF;
                float slx = sumlx - w * x[xOff + i] * li;
                float sl2 = suml2 - w * li * li;
                if (slx > 0 && sl2 > 0) {
                    int nl = Math.min(nmax, nearestInt(x[xOff + i] * sl2 / slx));
                    if (nl != li) {
                        slx += w * x[xOff + i] * nl;
                        sl2 += w * nl * nl;
                        if (slx * slx * suml2 > sumlx * sumlx * sl2) {
                            L[i] = (byte) nl;
                            sumlx = slx;
                            suml2 = sl2;
                            changed++;
                        }
                    }
                }
            }
            if (changed == 0) {
                break;
            }
        }
        return suml2 > 0 ? sumlx / suml2 : 0f;
    }

    /**
     * The K-quants' requantization of one sub-block against its decoded scale {@code d·sc} and min
     * {@code dmin·m}: {@code L = clamp(nint((x + dmin·m)/(d·sc)), 0, nmax)}, by {@code refit}. A zero scale
     * leaves the levels of the search in place, as ggml does.
     */
    static void requantizeWithMin(Refit refit, int n, int nmax, float[] x, int xOff, float d, int sc, float dmin,
                                  int m, byte[] L, int lOff) {
        float dl = d * sc;
        if (dl == 0) {
            refit.keep(n, L, lOff);
            return;
        }
        refit.withMin(n, nmax, x, xOff, dl, dmin * m, L, lOff);
    }

    /**
     * ggml's 2-bit plane of Q2_K and Q3_K: level {@code L[lOff + 128h + 32s + l]} (0..3) goes to bits
     * {@code 2s..2s+1} of {@code dst[off + 32h + l]}; 64 bytes for 256 levels.
     */
    static void pack2(byte[] L, int lOff, byte[] dst, int off) {
        for (int h = 0; h < 2; h++) {
            for (int l = 0; l < 32; l++) {
                int e = lOff + 128 * h + l;
                dst[off + 32 * h + l] = (byte) (L[e] | L[e + 32] << 2 | L[e + 64] << 4 | L[e + 96] << 6);
            }
        }
    }

    /** Inverse of {@link #pack2}: the 256 levels (0..3) of the plane at {@code qs[off]} into {@code L}. */
    static void unpack2(byte[] qs, int off, byte[] L) {
        for (int h = 0; h < 2; h++) {
            for (int s = 0; s < 4; s++) {
                for (int l = 0; l < 32; l++) {
                    L[128 * h + 32 * s + l] = (byte) (qs[off + 32 * h + l] >> 2 * s & 3);
                }
            }
        }
    }

    /**
     * ggml's 6-bit scale/min packing of Q4_K and Q5_K ({@code get_scale_min_k4} reads it back): eight
     * scales {@code ls} and mins {@code lm} into {@code dst[off..off+12)}. For j ≥ 4 the low nibbles share
     * byte j+4 and the top two bits ride in bits 6..7 of bytes j−4 (scale) and j (min).
     */
    static void packScalesK4(byte[] ls, byte[] lm, byte[] dst, int off) {
        for (int j = 0; j < 8; j++) {
            int s = ls[j] & 0xFF;
            int m = lm[j] & 0xFF;
            if (j < 4) {
                dst[off + j] = (byte) s;
                dst[off + j + 4] = (byte) m;
            } else {
                dst[off + j + 4] = (byte) (s & 15 | (m & 15) << 4);
                dst[off + j - 4] |= (byte) (s >> 4 << 6);
                dst[off + j] |= (byte) (m >> 4 << 6);
            }
        }
    }

    /** The 6-bit scale of sub-block {@code j} from {@code scales[off..off+12)} (ggml's {@code get_scale_min_k4}). */
    static int scaleK4(byte[] scales, int off, int j) {
        return j < 4
                ? scales[off + j] & 63
                : scales[off + j + 4] & 15 | (scales[off + j - 4] & 0xFF) >> 6 << 4;
    }

    /** The 6-bit min of sub-block {@code j} from {@code scales[off..off+12)} (ggml's {@code get_scale_min_k4}). */
    static int minK4(byte[] scales, int off, int j) {
        return j < 4
                ? scales[off + j + 4] & 63
                : (scales[off + j + 4] & 0xFF) >> 4 | (scales[off + j] & 0xFF) >> 6 << 4;
    }
}

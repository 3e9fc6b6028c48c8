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
     * ggml's {@code nearest_int}: round half to even, exact for |f| ≤ 4194303 (ggml asserts that range;
     * callers only pass bounded values).
     */
    static int nearestInt(float f) {
        return (int) Math.rint(f);
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
        float max = 0f;
        float amax = 0f;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xOff + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xOff + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
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
        float max = 0f;
        float amax = 0f;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[xOff + i]);
            if (ax > amax) {
                amax = ax;
                max = x[xOff + i];
            }
        }
        if (amax < GROUP_MAX_EPS) {
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

    /** ggml's {@code MAX(lo, MIN(hi, v))} on ints. */
    static int clamp(int v, int lo, int hi) {
        return Math.max(lo, Math.min(hi, v));
    }

    /**
     * C's {@code roundf}: round half away from zero. The {@code +0.5} is done in double so that
     * 0.49999997f does not round up ({@code Math.round} would also be wrong: it rounds halves up).
     */
    static int roundf(float f) {
        return (int) Math.copySign(Math.floor(Math.abs((double) f) + 0.5), f);
    }
}

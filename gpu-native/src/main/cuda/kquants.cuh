// The Java class io.quantsweep.quant.codec.KQuants for C: ggml's shared quantization maths, named after
// ggml's functions (shared/spec/ggml-formats.md §0 and §4.2). Every float operation is one IEEE binary32
// operation in the order ggml writes it: nvcc must be run with -fmad=false -prec-div=true
// -prec-sqrt=true -ftz=false, a host compiler with -ffp-contract=off, so that nothing is fused or
// approximated. Sums run in index order.
#pragma once

#include "blocks.cuh"

namespace KQuants {

constexpr float GROUP_MAX_EPS = 1e-15f;

// What x86-64's cvttss2si / cvttps2dq give for NaN and for anything outside [-2^31, 2^31): INT_MIN.
constexpr int X86_INT_INDEFINITE = -2147483647 - 1;

// C's truncating conversion of a float to an integer ((int) f, or to int8_t / uint8_t, which keep the low
// byte) as ggml's x86-64 build executes it (KQuants.cvtt in Java): X86_INT_INDEFINITE for NaN and out of
// range. A plain cast is undefined there in C++, and PTX's cvt.rzi saturates instead (+inf -> INT_MAX,
// NaN -> 0). It happens where a block's inverse scale overflowed to +inf (values below ~1e-37): x*id is
// then +-inf, or NaN for 0*inf.
QS_HD int cvtt(float f) {
    return f >= -2147483648.0f && f < 2147483648.0f ? (int) f : X86_INT_INDEFINITE;
}

// ggml's nearest_int, bit for bit: adding 1.5*2^23 in binary32 leaves the rounded value in the low 22
// mantissa bits. Round half to even for |f| <= 4194303 (what ggml asserts); outside it what ggml's release
// build gives: -2^22 for +-inf, and 0 for NaN (x86's default NaN 0xffc00000 has mantissa 0x400000; a
// GPU's NaN 0x7fffffff would give 4194303, hence the test).
QS_HD int nearestInt(float f) {
    float v = f + 12582912.0f;
#ifdef __CUDA_ARCH__
    int i = __float_as_int(v);
#else
    int i;
    memcpy(&i, &v, sizeof i);
#endif
    return f == f ? (i & 0x007fffff) - 0x00400000 : 0;
}

// ggml's MAX(lo, MIN(hi, v)) on ints.
QS_HD int clamp(int v, int lo, int hi) {
    return v < lo ? lo : (v > hi ? hi : v);
}

QS_HD int min(int a, int b) {
    return a < b ? a : b;
}

// C's roundf (half away from zero), then C's conversion of the result to an integer as x86 does it (cvtt:
// +-inf and NaN give X86_INT_INDEFINITE). f - truncf(f) is the exact fractional part, so no double is needed.
QS_HD int roundf(float f) {
    float t = truncf(f);
    if (fabsf(f - t) >= 0.5f) {
        t += f < 0.0f ? -1.0f : 1.0f;
    }
    return cvtt(t);
}

// The first element of largest magnitude (strict >, so the earliest wins): its magnitude and signed value.
QS_HD void firstMaxAbs(int n, const float* x, float* amax, float* max) {
    *amax = 0.0f;
    *max = 0.0f;
    for (int i = 0; i < n; i++) {
        float ax = fabsf(x[i]);
        if (ax > *amax) {
            *amax = ax;
            *max = x[i];
        }
    }
}

// make_qx_quants, rmse_type 1: symmetric scale on -nmax..nmax-1, 19 candidate inverse scales;
// quants[i] = l + nmax. qw == nullptr means ggml's default weights x².
QS_HD float makeQxQuants(int n, int nmax, const float* x, int8_t* quants, const float* qw) {
    float amax;
    float max;
    firstMaxAbs(n, x, &amax, &max);
    if (amax < GROUP_MAX_EPS) {
        for (int i = 0; i < n; i++) {
            quants[i] = 0;
        }
        return 0.0f;
    }
    float iscale = -nmax / max;
    float sumlx = 0.0f;
    float suml2 = 0.0f;
    for (int i = 0; i < n; i++) {
        int l = clamp(nearestInt(iscale * x[i]), -nmax, nmax - 1);
        quants[i] = (int8_t) (l + nmax);
        float w = qw != nullptr ? qw[i] : x[i] * x[i];
        sumlx += w * x[i] * l;
        suml2 += w * l * l;
    }
    float scale = suml2 != 0.0f ? sumlx / suml2 : 0.0f;
    float best = scale * sumlx;
    for (int is = -9; is <= 9; is++) {
        if (is == 0) {
            continue;
        }
        iscale = -(nmax + 0.1f * is) / max;
        sumlx = 0.0f;
        suml2 = 0.0f;
        for (int i = 0; i < n; i++) {
            int l = clamp(nearestInt(iscale * x[i]), -nmax, nmax - 1);
            float w = qw != nullptr ? qw[i] : x[i] * x[i];
            sumlx += w * x[i] * l;
            suml2 += w * l * l;
        }
        if (suml2 > 0.0f && sumlx * sumlx > best * suml2) {
            for (int i = 0; i < n; i++) {
                quants[i] = (int8_t) (nmax + clamp(nearestInt(iscale * x[i]), -nmax, nmax - 1));
            }
            scale = sumlx / suml2;
            best = scale * sumlx;
        }
    }
    return scale;
}

// make_q3_quants, do_rmse: make_qx_quants' first guess refined by up to five coordinate-descent passes
// with weights x²; quants[i] = l + nmax.
QS_HD float makeQ3Quants(int n, int nmax, const float* x, int8_t* quants) {
    float amax;
    float max;
    firstMaxAbs(n, x, &amax, &max);
    if (amax < GROUP_MAX_EPS) {
        for (int i = 0; i < n; i++) {
            quants[i] = 0;
        }
        return 0.0f;
    }
    float iscale = -nmax / max;
    float sumlx = 0.0f;
    float suml2 = 0.0f;
    for (int i = 0; i < n; i++) {
        int l = clamp(nearestInt(iscale * x[i]), -nmax, nmax - 1);
        quants[i] = (int8_t) l;
        float w = x[i] * x[i];
        sumlx += w * x[i] * l;
        suml2 += w * l * l;
    }
    for (int itry = 0; itry < 5; itry++) {
        int changed = 0;
        for (int i = 0; i < n; i++) {
            int li = quants[i];
            float w = x[i] * x[i];
            float slx = sumlx - w * x[i] * li;
            if (slx > 0.0f) {
                float sl2 = suml2 - w * li * li;
                int nl = clamp(nearestInt(x[i] * sl2 / slx), -nmax, nmax - 1);
                if (nl != li) {
                    slx += w * x[i] * nl;
                    sl2 += w * nl * nl;
                    if (sl2 > 0.0f && slx * slx * suml2 > sumlx * sumlx * sl2) {
                        quants[i] = (int8_t) nl;
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
        quants[i] = (int8_t) (quants[i] + nmax);
    }
    return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
}

// make_qkx2_quants, and make_qkx3_quants with weights (the same algorithm): an asymmetric fit
// x ≈ scale·L + min with L in 0..nmax, searched over nstep+1 inverse scales. *theMin = -min.
QS_HD float makeQkx2Quants(int n, int nmax, const float* x, const float* w, uint8_t* quants, float* theMin,
                           float rmin, float rdelta, int nstep, bool useMad) {
    uint8_t aux[32];
    float min = x[0];
    float max = x[0];
    float sumW = w[0];
    float sumX = sumW * x[0];
    for (int i = 1; i < n; i++) {
        if (x[i] < min) {
            min = x[i];
        }
        if (x[i] > max) {
            max = x[i];
        }
        sumW += w[i];
        sumX += w[i] * x[i];
    }
    if (min > 0.0f) {
        min = 0.0f;
    }
    if (max == min) {
        for (int i = 0; i < n; i++) {
            quants[i] = 0;
        }
        *theMin = -min;
        return 0.0f;
    }
    float iscale = nmax / (max - min);
    float scale = 1 / iscale;
    float bestError = 0.0f;
    for (int i = 0; i < n; i++) {
        int l = clamp(nearestInt(iscale * (x[i] - min)), 0, nmax);
        quants[i] = (uint8_t) l;
        float diff = scale * l + min - x[i];
        diff = useMad ? fabsf(diff) : diff * diff;
        bestError += w[i] * diff;
    }
    for (int is = 0; is <= nstep; is++) {
        iscale = (rmin + rdelta * is + nmax) / (max - min);
        float sumL = 0.0f;
        float sumL2 = 0.0f;
        float sumXl = 0.0f;
        for (int i = 0; i < n; i++) {
            int l = clamp(nearestInt(iscale * (x[i] - min)), 0, nmax);
            aux[i] = (uint8_t) l;
            sumL += w[i] * l;
            sumL2 += w[i] * l * l;
            sumXl += w[i] * l * x[i];
        }
        float det = sumW * sumL2 - sumL * sumL;
        if (det > 0.0f) {
            float thisScale = (sumW * sumXl - sumX * sumL) / det;
            float thisMin = (sumL2 * sumX - sumL * sumXl) / det;
            if (thisMin > 0.0f) {
                thisMin = 0.0f;
                thisScale = sumXl / sumL2;
            }
            float error = 0.0f;
            for (int i = 0; i < n; i++) {
                float diff = thisScale * aux[i] + thisMin - x[i];
                diff = useMad ? fabsf(diff) : diff * diff;
                error += w[i] * diff;
            }
            if (error < bestError) {
                for (int i = 0; i < n; i++) {
                    quants[i] = aux[i];
                }
                bestError = error;
                scale = thisScale;
                min = thisMin;
            }
        }
    }
    *theMin = -min;
    return scale;
}

// make_qp_quants: non-negative values (sub-block scales or mins) on 0..nmax, weighted by qw, with a
// 9-candidate scale search and five coordinate-descent passes.
QS_HD float makeQpQuants(int n, int nmax, const float* x, uint8_t* quants, const float* qw) {
    float max = 0.0f;
    for (int i = 0; i < n; i++) {
        max = max > x[i] ? max : x[i];
    }
    if (max < GROUP_MAX_EPS) {
        for (int i = 0; i < n; i++) {
            quants[i] = 0;
        }
        return 0.0f;
    }
    float iscale = nmax / max;
    for (int i = 0; i < n; i++) {
        quants[i] = (uint8_t) nearestInt(iscale * x[i]);
    }
    float scale = 1 / iscale;
    float bestMse = 0.0f;
    for (int i = 0; i < n; i++) {
        float diff = x[i] - scale * quants[i];
        bestMse += qw[i] * diff * diff;
    }
    for (int is = -4; is <= 4; is++) {
        if (is == 0) {
            continue;
        }
        float iscaleIs = (0.1f * is + nmax) / max;
        float scaleIs = 1 / iscaleIs;
        float mse = 0.0f;
        for (int i = 0; i < n; i++) {
            int l = min(nmax, nearestInt(iscaleIs * x[i]));
            float diff = x[i] - scaleIs * l;
            mse += qw[i] * diff * diff;
        }
        if (mse < bestMse) {
            bestMse = mse;
            iscale = iscaleIs;
        }
    }
    float sumlx = 0.0f;
    float suml2 = 0.0f;
    for (int i = 0; i < n; i++) {
        int l = min(nmax, nearestInt(iscale * x[i]));
        quants[i] = (uint8_t) l;
        sumlx += qw[i] * x[i] * l;
        suml2 += qw[i] * l * l;
    }
    for (int itry = 0; itry < 5; itry++) {
        int changed = 0;
        for (int i = 0; i < n; i++) {
            int li = quants[i];
            float slx = sumlx - qw[i] * x[i] * li;
            float sl2 = suml2 - qw[i] * li * li;
            if (slx > 0.0f && sl2 > 0.0f) {
                int nl = min(nmax, nearestInt(x[i] * sl2 / slx));
                if (nl != li) {
                    slx += qw[i] * x[i] * nl;
                    sl2 += qw[i] * nl * nl;
                    if (slx * slx * suml2 > sumlx * sumlx * sl2) {
                        quants[i] = (uint8_t) nl;
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
    return suml2 > 0.0f ? sumlx / suml2 : 0.0f;
}

// best_index_int8: the index of the table value nearest to x (val ascending; a tie goes up).
QS_HD int bestIndexInt8(int n, const int8_t* val, float x) {
    if (x <= val[0]) {
        return 0;
    }
    if (x >= val[n - 1]) {
        return n - 1;
    }
    int lo = 0;
    int hi = n - 1;
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (x < val[mid]) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    return x - val[hi - 1] < val[hi] - x ? hi - 1 : hi;
}

// Weights of the importance paths: qw·sqrt(σ² + x²).
QS_HD void importanceWeights(int n, const float* x, const float* qw, float sigma2, float* w) {
    for (int i = 0; i < n; i++) {
        w[i] = qw[i] * sqrtf(sigma2 + x[i] * x[i]);
    }
}

// Σ x² over n values in index order (σ² numerators).
QS_HD float sumSquares(int n, const float* x) {
    float s = 0.0f;
    for (int i = 0; i < n; i++) {
        s += x[i] * x[i];
    }
    return s;
}

}  // namespace KQuants

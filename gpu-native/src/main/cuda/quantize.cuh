// One ggml block at a time, for every type with a kernel: quantize_row_*_ref (qw == nullptr) and the
// importance-weighted quantize_row_*_impl (qw = the importance weights of the block's columns), as
// shared/spec/ggml-formats.md §4 writes them. Each struct is named after the Java codec class
// (io.quantsweep.quant.codec.<Type>Codec) and its functions after that class's methods, so the two read
// side by side. Each codec's quantizeBlock has the same signature; sigma2 is the whole row's Σx²/n and is
// read only by the legacy types' importance paths (ROW_SIGMA), which ggml weights by a row statistic.
#pragma once

#include "kquants.cuh"

// ---- 32-element blocks --------------------------------------------------------------------------

struct Q8_0Codec {
static constexpr int TYPE_ID = 8, QK = 32;
static constexpr bool ROW_SIGMA = false;
using Block = block_q8_0;

// quantize_row_q8_0_ref; ggml ignores an importance vector for Q8_0.
static QS_HD void quantizeBlock(const float* x, const float*, float, Block* y) {
    float amax = 0.0f;
    for (int i = 0; i < QK; i++) {
        float a = fabsf(x[i]);
        amax = amax > a ? amax : a;
    }
    float d = amax / 127.0f;
    float id = d != 0.0f ? 1.0f / d : 0.0f;
    y->d = Fp16::fromFloat(d);
    for (int i = 0; i < QK; i++) {
        y->qs[i] = (int8_t) KQuants::roundf(x[i] * id);
    }
}
};

// The Java class io.quantsweep.quant.codec.LegacyQuants: the legacy types' reference searches and
// their packing (IQ4 packs its nibbles as Q4_0 does).
namespace LegacyQuants {

// quantize_row_q4_0_ref (nmax 8) and quantize_row_q5_0_ref (nmax 16): d = max / -nmax of the first
// max-abs element, levels min(2·nmax - 1, trunc(x/d + nmax + 0.5)), truncated as x86 does (KQuants::cvtt).
QS_HD float symmetricRef(const float* x, int nmax, int* q) {
    float amax;
    float max;
    KQuants::firstMaxAbs(32, x, &amax, &max);
    float d = max / -nmax;
    float id = d != 0.0f ? 1.0f / d : 0.0f;
    float offset = nmax + 0.5f;
    for (int j = 0; j < 32; j++) {
        q[j] = KQuants::min(2 * nmax - 1, KQuants::cvtt(x[j] * id + offset));
    }
    return d;
}

// quantize_row_q4_1_ref (nmax 15, levels capped at 15) and quantize_row_q5_1_ref (nmax 31, levels only
// narrowed to u8: cap 255): d = (max - min)/nmax, levels min(cap, trunc((x - min)/d + 0.5)), truncated as
// x86 does (KQuants::cvtt).
QS_HD float asymmetricRef(const float* x, int nmax, int cap, int* q, float* theMin) {
    float min = 3.402823466e+38f;
    float max = -3.402823466e+38f;
    for (int j = 0; j < 32; j++) {
        if (x[j] < min) {
            min = x[j];
        }
        if (x[j] > max) {
            max = x[j];
        }
    }
    float d = (max - min) / nmax;
    float id = d != 0.0f ? 1.0f / d : 0.0f;
    for (int j = 0; j < 32; j++) {
        q[j] = KQuants::min(cap, KQuants::cvtt((x[j] - min) * id + 0.5f));
    }
    *theMin = min;
    return d;
}

// Byte j of qs[16] holds level j low and level j+16 high.
template <typename Level>
QS_HD void packNibbles32(const Level* q, uint8_t* qs) {
    for (int j = 0; j < 16; j++) {
        qs[j] = (uint8_t) ((q[j] & 0x0F) | (q[j + 16] & 0x0F) << 4);
    }
}

// Low nibbles as packNibbles32, fifth bits in the little-endian u32 qh (bit j: level j's bit 4).
QS_HD void packQ5(const int* q, uint8_t* qh, uint8_t* qs) {
    packNibbles32(q, qs);
    uint32_t bits = 0;
    for (int j = 0; j < 32; j++) {
        bits |= (uint32_t) ((q[j] & 0x10) >> 4) << j;
    }
    for (int b = 0; b < 4; b++) {
        qh[b] = (uint8_t) (bits >> (8 * b));
    }
}
}  // namespace LegacyQuants

// The Java interface Legacy32Codec: one quantizer for Q4_0, Q5_0 (x = d·(q - nmax), the scale searched
// by make_qx_quants) and Q4_1, Q5_1 (x = d·q + m, fitted by make_qkx3_quants), driven by what each
// type declares. Importance weights are qw·sqrt(σ² + x²), σ² the row's mean square.
template <int ID, typename BlockType, int NMAX, bool WITH_MIN, int REF_CAP>
struct Legacy32Codec {
static constexpr int TYPE_ID = ID, QK = 32;
static constexpr bool ROW_SIGMA = true;
using Block = BlockType;

static QS_HD void quantizeBlock(const float* x, const float* qw, float sigma2, Block* y) {
    int q[QK];
    float d;
    float m = 0.0f;
    if (qw == nullptr && WITH_MIN) {
        d = LegacyQuants::asymmetricRef(x, NMAX, REF_CAP, q, &m);
    } else if (qw == nullptr) {
        d = LegacyQuants::symmetricRef(x, NMAX, q);
    } else {
        float w[QK];
        KQuants::importanceWeights(QK, x, qw, sigma2, w);
        if (WITH_MIN) {
            uint8_t levels[QK];
            d = KQuants::makeQkx2Quants(QK, NMAX, x, w, levels, &m, -0.9f, 0.05f, 36, false);
            m = -m;
            for (int j = 0; j < QK; j++) {
                q[j] = levels[j];
            }
        } else {
            int8_t levels[QK];
            d = KQuants::makeQxQuants(QK, NMAX, x, levels, w);
            for (int j = 0; j < QK; j++) {
                q[j] = levels[j];
            }
        }
    }
    y->d = Fp16::fromFloat(d);
    if constexpr (WITH_MIN) {
        y->m = Fp16::fromFloat(m);
    }
    // Levels above 15 take a fifth bit.
    if constexpr ((WITH_MIN ? NMAX : 2 * NMAX - 1) > 15) {
        LegacyQuants::packQ5(q, y->qh, y->qs);
    } else {
        LegacyQuants::packNibbles32(q, y->qs);
    }
}
};

struct Q4_0Codec : Legacy32Codec<2, block_q4_0, 8, false, 15> {};
struct Q4_1Codec : Legacy32Codec<3, block_q4_1, 15, true, 15> {};
struct Q5_0Codec : Legacy32Codec<6, block_q5_0, 16, false, 31> {};
struct Q5_1Codec : Legacy32Codec<7, block_q5_1, 31, true, 255> {};

// ---- IQ4_NL and IQ4_XS: the non-linear 16-value grid kvalues_iq4nl -----------------------------

namespace IQ4Quants {
#ifdef __CUDA_ARCH__
// Not const: a const namespace-scope variable has internal linkage, and nvcc names those after a hash of
// the source path, which would make the committed PTX depend on where it was built.
__constant__ int8_t KVALUES[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
#else
constexpr int8_t KVALUES[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
#endif

// quantize_row_iq4_nl_impl with ntry = 7 for one super-block of sb values (32: IQ4_NL, 256: IQ4_XS):
// per 32-sub-block scale searched over 15 candidates, then (IQ4_XS) 6-bit sub-block scales; the final
// indices use the unrounded float scale. Writes *dh, q4[sb/2] and, for IQ4_XS, the scale bits.
QS_HD void iq4NlImpl(int sb, const float* x, const float* qw, uint16_t* dh, uint8_t* q4, uint16_t* scalesH,
                     uint8_t* scalesL) {
    const int ntry = 7;
    const int8_t* values = KVALUES;
    uint8_t quants[QK_K];
    float scales[QK_K / 32];
    float w[32];
    float sigma2 = KQuants::sumSquares(sb, x);
    sigma2 *= 2.0f / sb;
    *dh = Fp16::fromFloat(0.0f);
    float maxScale = 0.0f;
    float amaxScale = 0.0f;
    for (int ib = 0; ib < sb / 32; ib++) {
        const float* xb = x + 32 * ib;
        uint8_t* lb = quants + 32 * ib;
        if (qw != nullptr) {
            KQuants::importanceWeights(32, xb, qw + 32 * ib, sigma2, w);
        } else {
            for (int j = 0; j < 32; j++) {
                w[j] = xb[j] * xb[j];
            }
        }
        float amax;
        float max;
        KQuants::firstMaxAbs(32, xb, &amax, &max);
        if (amax < KQuants::GROUP_MAX_EPS) {
            scales[ib] = 0.0f;
            continue;
        }
        float d = -max / values[0];
        float id = 1 / d;
        float sumqx = 0.0f;
        float sumq2 = 0.0f;
        for (int j = 0; j < 32; j++) {
            int l = KQuants::bestIndexInt8(16, values, id * xb[j]);
            lb[j] = (uint8_t) l;
            float q = values[l];
            sumqx += w[j] * q * xb[j];
            sumq2 += w[j] * q * q;
        }
        d = sumq2 > 0.0f ? sumqx / sumq2 : 0.0f;
        float best = d * sumqx;
        for (int itry = -ntry; itry <= ntry; itry++) {
            id = (itry + values[0]) / max;
            sumqx = 0.0f;
            sumq2 = 0.0f;
            for (int j = 0; j < 32; j++) {
                float q = values[KQuants::bestIndexInt8(16, values, id * xb[j])];
                sumqx += w[j] * q * xb[j];
                sumq2 += w[j] * q * q;
            }
            if (sumq2 > 0.0f && sumqx * sumqx > best * sumq2) {
                d = sumqx / sumq2;
                best = d * sumqx;
            }
        }
        scales[ib] = d;
        if (fabsf(d) > amaxScale) {
            amaxScale = fabsf(d);
            maxScale = d;
        }
    }
    if (sb > 32) {
        *scalesH = 0;
        float d = -maxScale / 32;
        *dh = Fp16::fromFloat(d);
        float id = d != 0.0f ? 1 / d : 0.0f;
        for (int ib = 0; ib < sb / 32; ib++) {
            int l = KQuants::clamp(KQuants::nearestInt(id * scales[ib]), -32, 31);
            float dl = d * l;
            float idl = dl != 0.0f ? 1 / dl : 0.0f;
            for (int j = 0; j < 32; j++) {
                quants[32 * ib + j] = (uint8_t) KQuants::bestIndexInt8(16, values, idl * x[32 * ib + j]);
            }
            l += 32;
            if (ib % 2 == 0) {
                scalesL[ib / 2] = (uint8_t) (l & 0xF);
            } else {
                scalesL[ib / 2] |= (uint8_t) ((l & 0xF) << 4);
            }
            *scalesH |= (uint16_t) ((l >> 4) << (2 * (ib % 8)));
        }
    } else {
        *dh = Fp16::fromFloat(scales[0]);
        float id = scales[0] != 0.0f ? 1 / scales[0] : 0.0f;
        for (int j = 0; j < 32; j++) {
            quants[j] = (uint8_t) KQuants::bestIndexInt8(16, values, id * x[j]);
        }
    }
    for (int i = 0; i < sb / 32; i++) {
        LegacyQuants::packNibbles32(quants + 32 * i, q4 + 16 * i);
    }
}
}  // namespace IQ4Quants

struct IQ4_NLCodec {
static constexpr int TYPE_ID = 20, QK = 32;
static constexpr bool ROW_SIGMA = false;
using Block = block_iq4_nl;

static QS_HD void quantizeBlock(const float* x, const float* qw, float, Block* y) {
    IQ4Quants::iq4NlImpl(QK, x, qw, &y->d, y->qs, nullptr, nullptr);
}
};

struct IQ4_XSCodec {
static constexpr int TYPE_ID = 23, QK = QK_K;
static constexpr bool ROW_SIGMA = false;
using Block = block_iq4_xs;

static QS_HD void quantizeBlock(const float* x, const float* qw, float, Block* y) {
    IQ4Quants::iq4NlImpl(QK, x, qw, &y->d, y->qs, &y->scales_h, y->scales_l);
}
};

// ---- K-quants: super-blocks of 256 ---------------------------------------------------------------

namespace KPack {
// pack2: the 2-bit plane of Q2_K and Q3_K, element 128h + 32s + l in qs[32h + l] bits 2s..2s+1.
QS_HD void pack2(const uint8_t* quants, uint8_t* qs) {
    for (int h = 0; h < 2; h++) {
        for (int l = 0; l < 32; l++) {
            const uint8_t* q = quants + 128 * h + l;
            qs[32 * h + l] = (uint8_t) (q[0] | q[32] << 2 | q[64] << 4 | q[96] << 6);
        }
    }
}

// The 6-bit scale/min pairs of Q4_K and Q5_K in scales[12] (pack_scales_k4 / get_scale_min_k4).
QS_HD void packScalesK4(const uint8_t* ls, const uint8_t* lm, uint8_t* scales) {
    for (int j = 0; j < 8; j++) {
        if (j < 4) {
            scales[j] = ls[j];
            scales[j + 4] = lm[j];
        } else {
            scales[j + 4] = (uint8_t) ((ls[j] & 0xF) | (lm[j] & 0xF) << 4);
            scales[j - 4] |= (uint8_t) ((ls[j] >> 4) << 6);
            scales[j] |= (uint8_t) ((lm[j] >> 4) << 6);
        }
    }
}

QS_HD void getScaleMinK4(int j, const uint8_t* q, int* sc, int* m) {
    if (j < 4) {
        *sc = q[j] & 63;
        *m = q[j + 4] & 63;
    } else {
        *sc = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
        *m = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
    }
}

// RQ(nmax) for sub-blocks of n: refit the quants to the stored fp16 scales; a sub-block whose decoded
// scale is 0 keeps the search's quants.
QS_HD void requantizeAsym(int n, int nmax, const float* x, float d, float dmin, const int* sc, const int* m,
                          uint8_t* quants) {
    for (int j = 0; j < QK_K / n; j++) {
        float dj = d * sc[j];
        if (dj == 0.0f) {
            continue;
        }
        float dmj = dmin * m[j];
        for (int i = 0; i < n; i++) {
            quants[n * j + i] = (uint8_t) KQuants::clamp(KQuants::nearestInt((x[n * j + i] + dmj) / dj), 0, nmax);
        }
    }
}

// For Q2_K (ref): the largest positive value of v[0..n), or 0.
QS_HD float maxPositive(int n, const float* v) {
    float max = 0.0f;
    for (int j = 0; j < n; j++) {
        if (v[j] > max) {
            max = v[j];
        }
    }
    return max;
}
}  // namespace KPack

struct Q2_KCodec {
static constexpr int TYPE_ID = 10, QK = QK_K;
static constexpr bool ROW_SIGMA = false;
using Block = block_q2_K;

// quantize_row_q2_K_ref's scales: 4-bit scale and min per sub-block of 16, relative to the largest.
static QS_HD void quantizeScalesRef(const float* x, uint8_t* quants, Block* y) {
    float scales[16];
    float mins[16];
    float w[16];
    for (int j = 0; j < 16; j++) {
        for (int l = 0; l < 16; l++) {
            w[l] = fabsf(x[16 * j + l]);
        }
        scales[j] = KQuants::makeQkx2Quants(16, 3, x + 16 * j, w, quants + 16 * j, &mins[j], -0.5f, 0.1f, 15, true);
    }
    float maxScale = KPack::maxPositive(16, scales);
    float maxMin = KPack::maxPositive(16, mins);
    if (maxScale > 0.0f) {
        float iscale = 15.0f / maxScale;
        for (int j = 0; j < 16; j++) {
            y->scales[j] = (uint8_t) KQuants::nearestInt(iscale * scales[j]);
        }
        y->d = Fp16::fromFloat(maxScale / 15.0f);
    } else {
        for (int j = 0; j < 16; j++) {
            y->scales[j] = 0;
        }
        y->d = Fp16::fromFloat(0.0f);
    }
    if (maxMin > 0.0f) {
        float iscale = 15.0f / maxMin;
        for (int j = 0; j < 16; j++) {
            y->scales[j] = (uint8_t) (y->scales[j] | KQuants::nearestInt(iscale * mins[j]) << 4);
        }
        y->dmin = Fp16::fromFloat(maxMin / 15.0f);
    } else {
        y->dmin = Fp16::fromFloat(0.0f);
    }
}

// quantize_row_q2_K_impl's scales: weights qw·sqrt(σ² + x²) with σ² = Σx²/256, make_qkx3_quants per
// sub-block, then the scales and mins quantized by make_qp_quants weighted by the sub-blocks' weights.
static QS_HD void quantizeScalesImpl(const float* x, const float* qw, uint8_t* quants, Block* y) {
    float scales[16];
    float mins[16];
    float sw[16];
    float w[16];
    uint8_t ls[16];
    uint8_t lm[16];
    float sigma2 = KQuants::sumSquares(QK, x) / QK;
    for (int j = 0; j < 16; j++) {
        KQuants::importanceWeights(16, x + 16 * j, qw + 16 * j, sigma2, w);
        float sumw = 0.0f;
        for (int l = 0; l < 16; l++) {
            sumw += w[l];
        }
        sw[j] = sumw;
        scales[j] = KQuants::makeQkx2Quants(16, 3, x + 16 * j, w, quants + 16 * j, &mins[j], -0.9f, 0.05f, 36, false);
    }
    float dm = KQuants::makeQpQuants(16, 15, scales, ls, sw);
    float mm = KQuants::makeQpQuants(16, 15, mins, lm, sw);
    y->d = Fp16::fromFloat(dm);
    y->dmin = Fp16::fromFloat(mm);
    for (int j = 0; j < 16; j++) {
        y->scales[j] = (uint8_t) (ls[j] | lm[j] << 4);
    }
}

static QS_HD void quantizeBlock(const float* x, const float* qw, float, Block* y) {
    uint8_t quants[QK];
    if (qw == nullptr) {
        quantizeScalesRef(x, quants, y);
    } else {
        quantizeScalesImpl(x, qw, quants, y);
    }
    int sc[16];
    int m[16];
    for (int j = 0; j < 16; j++) {
        sc[j] = y->scales[j] & 0xF;
        m[j] = y->scales[j] >> 4;
    }
    KPack::requantizeAsym(16, 3, x, Fp16::toFloat(y->d), Fp16::toFloat(y->dmin), sc, m, quants);
    KPack::pack2(quants, y->qs);
}
};

struct Q3_KCodec {
static constexpr int TYPE_ID = 11, QK = QK_K;
static constexpr bool ROW_SIGMA = false;
using Block = block_q3_K;

// ORs the 6-bit scale s of sub-block j into the zeroed scales[12].
static QS_HD void packScale(int j, int s, Block* y) {
    if (j < 8) {
        y->scales[j] = (uint8_t) (s & 0xF);
    } else {
        y->scales[j - 8] |= (uint8_t) ((s & 0xF) << 4);
    }
    y->scales[8 + j % 4] |= (uint8_t) ((s >> 4) << (2 * (j / 4)));
}

// The 6-bit scale S_j of sub-block j (signed scale + 32).
static QS_HD int scale6(const Block* y, int j) {
    int low = j < 8 ? y->scales[j] & 0xF : y->scales[j - 8] >> 4;
    return low | ((y->scales[8 + j % 4] >> (2 * (j / 4))) & 3) << 4;
}

// quantize_row_q3_K_ref up to y.d: sub-block scales as 6 bits of the largest.
static QS_HD void quantizeScalesRef(const float* x, int8_t* quants, Block* y) {
    float scales[16];
    float maxScale = 0.0f;
    float amax = 0.0f;
    for (int j = 0; j < 16; j++) {
        scales[j] = KQuants::makeQ3Quants(16, 4, x + 16 * j, quants + 16 * j);
        float scale = fabsf(scales[j]);
        if (scale > amax) {
            amax = scale;
            maxScale = scales[j];
        }
    }
    if (maxScale != 0.0f) {
        float iscale = -32.0f / maxScale;
        for (int j = 0; j < 16; j++) {
            int8_t l = (int8_t) KQuants::nearestInt(iscale * scales[j]);
            packScale(j, KQuants::clamp(l, -32, 31) + 32, y);
        }
        y->d = Fp16::fromFloat(1 / iscale);
    } else {
        y->d = Fp16::fromFloat(0.0f);
    }
}

// quantize_row_q3_K_impl up to y.d: weights qw·sqrt(σ² + x²) with σ² = 2·Σx²/256, and the 16 scales
// quantized as a group weighted by their sub-blocks' weight sums.
static QS_HD void quantizeScalesImpl(const float* x, const float* qw, int8_t* quants, Block* y) {
    float scales[16];
    float sw[16];
    float w[16];
    int8_t scaleQuants[16];
    float sigma2 = 2 * KQuants::sumSquares(QK, x) / QK;
    for (int j = 0; j < 16; j++) {
        KQuants::importanceWeights(16, x + 16 * j, qw + 16 * j, sigma2, w);
        float sumw = 0.0f;
        for (int l = 0; l < 16; l++) {
            sumw += w[l];
        }
        sw[j] = sumw;
        scales[j] = KQuants::makeQxQuants(16, 4, x + 16 * j, quants + 16 * j, w);
    }
    float dBlock = KQuants::makeQxQuants(16, 32, scales, scaleQuants, sw);
    for (int j = 0; j < 16; j++) {
        packScale(j, scaleQuants[j], y);
    }
    y->d = Fp16::fromFloat(dBlock);
}

// The common tail: quants refitted to the stored fp16 scale, then the high bits and the 2-bit plane.
static QS_HD void requantizeAndPack(const float* x, int8_t* quants, Block* y) {
    float d = Fp16::toFloat(y->d);
    for (int j = 0; j < 16; j++) {
        float dj = d * (scale6(y, j) - 32);
        if (dj == 0.0f) {
            continue;
        }
        for (int i = 0; i < 16; i++) {
            int l = KQuants::nearestInt(x[16 * j + i] / dj);
            quants[16 * j + i] = (int8_t) (KQuants::clamp(l, -4, 3) + 4);
        }
    }
    for (int i = 0; i < 32; i++) {
        y->hmask[i] = 0;
    }
    for (int e = 0; e < QK; e++) {
        if (quants[e] > 3) {
            y->hmask[e % 32] |= (uint8_t) (1 << (e / 32));
            quants[e] -= 4;
        }
    }
    KPack::pack2((const uint8_t*) quants, y->qs);
}

static QS_HD void quantizeBlock(const float* x, const float* qw, float, Block* y) {
    int8_t quants[QK];
    for (int i = 0; i < 12; i++) {
        y->scales[i] = 0;
    }
    if (qw == nullptr) {
        quantizeScalesRef(x, quants, y);
    } else {
        quantizeScalesImpl(x, qw, quants, y);
    }
    requantizeAndPack(x, quants, y);
}
};

// Q4_K and Q5_K share everything but the quant range (15 / 31), the _ref search parameters and the
// packing of the fifth bit; nmax selects.
struct Q4_KCodec {

// The scales of quantize_row_q{4,5}_K_ref: 6-bit scale and min per sub-block of 32, relative to the largest.
static QS_HD void quantizeScalesRef(int nmax, const float* x, uint8_t* quants, uint8_t* scales12, uint16_t* d,
                             uint16_t* dmin) {
    float scales[8];
    float mins[8];
    float w[32];
    for (int j = 0; j < 8; j++) {
        float avX = sqrtf(KQuants::sumSquares(32, x + 32 * j) / 32);
        for (int l = 0; l < 32; l++) {
            w[l] = avX + fabsf(x[32 * j + l]);
        }
        scales[j] = nmax == 15
                ? KQuants::makeQkx2Quants(32, 15, x + 32 * j, w, quants + 32 * j, &mins[j], -1.0f, 0.1f, 20, false)
                : KQuants::makeQkx2Quants(32, 31, x + 32 * j, w, quants + 32 * j, &mins[j], -0.5f, 0.1f, 15, false);
    }
    float maxScale = KPack::maxPositive(8, scales);
    float maxMin = KPack::maxPositive(8, mins);
    float invScale = maxScale > 0.0f ? 63.0f / maxScale : 0.0f;
    float invMin = maxMin > 0.0f ? 63.0f / maxMin : 0.0f;
    uint8_t ls[8];
    uint8_t lm[8];
    for (int j = 0; j < 8; j++) {
        ls[j] = (uint8_t) KQuants::min(63, (uint8_t) KQuants::nearestInt(invScale * scales[j]));
        lm[j] = (uint8_t) KQuants::min(63, (uint8_t) KQuants::nearestInt(invMin * mins[j]));
    }
    KPack::packScalesK4(ls, lm, scales12);
    *d = Fp16::fromFloat(maxScale / 63.0f);
    *dmin = Fp16::fromFloat(maxMin / 63.0f);
}

// The scales of quantize_row_q{4,5}_K_impl: weights qw·sqrt(σ² + x²) with σ² = 2·Σx²/256,
// make_qkx3_quants per sub-block, make_qp_quants for the scales and mins.
static QS_HD void quantizeScalesImpl(int nmax, const float* x, const float* qw, uint8_t* quants, uint8_t* scales12,
                              uint16_t* d, uint16_t* dmin) {
    float scales[8];
    float mins[8];
    float sw[8];
    float w[32];
    uint8_t ls[8];
    uint8_t lm[8];
    float sigma2 = 2 * KQuants::sumSquares(QK_K, x) / QK_K;
    for (int j = 0; j < 8; j++) {
        KQuants::importanceWeights(32, x + 32 * j, qw + 32 * j, sigma2, w);
        float sumw = 0.0f;
        for (int l = 0; l < 32; l++) {
            sumw += w[l];
        }
        sw[j] = sumw;
        scales[j] = KQuants::makeQkx2Quants(32, nmax, x + 32 * j, w, quants + 32 * j, &mins[j], -0.9f, 0.05f, 36,
                                            false);
    }
    float dBlock = KQuants::makeQpQuants(8, 63, scales, ls, sw);
    float mBlock = KQuants::makeQpQuants(8, 63, mins, lm, sw);
    if (nmax == 31) {
        // Q5_K caps the levels at 63, Q4_K does not. It matters when a negative sub-block scale made
        // make_qp_quants store a wrapped-around u8 level (heavy-tailed rows).
        for (int j = 0; j < 8; j++) {
            ls[j] = (uint8_t) KQuants::min(63, ls[j]);
            lm[j] = (uint8_t) KQuants::min(63, lm[j]);
        }
    }
    KPack::packScalesK4(ls, lm, scales12);
    *d = Fp16::fromFloat(dBlock);
    *dmin = Fp16::fromFloat(mBlock);
}

// Scales (ref or impl), then the quants refitted to the stored scales: everything but the quant packing.
static QS_HD void quantizeScales(int nmax, const float* x, const float* qw, uint8_t* quants, uint8_t* scales12,
                          uint16_t* d, uint16_t* dmin) {
    if (qw == nullptr) {
        quantizeScalesRef(nmax, x, quants, scales12, d, dmin);
    } else {
        quantizeScalesImpl(nmax, x, qw, quants, scales12, d, dmin);
    }
    int sc[8];
    int m[8];
    for (int j = 0; j < 8; j++) {
        KPack::getScaleMinK4(j, scales12, &sc[j], &m[j]);
    }
    KPack::requantizeAsym(32, nmax, x, Fp16::toFloat(*d), Fp16::toFloat(*dmin), sc, m, quants);
}

static constexpr int TYPE_ID = 12, QK = QK_K;
static constexpr bool ROW_SIGMA = false;
using Block = block_q4_K;

static QS_HD void quantizeBlock(const float* x, const float* qw, float, Block* y) {
    uint8_t quants[QK];
    quantizeScales(15, x, qw, quants, y->scales, &y->d, &y->dmin);
    for (int c = 0; c < 4; c++) {
        for (int l = 0; l < 32; l++) {
            y->qs[32 * c + l] = (uint8_t) (quants[64 * c + l] | quants[64 * c + l + 32] << 4);
        }
    }
}
};

struct Q5_KCodec {
static constexpr int TYPE_ID = 13, QK = QK_K;
static constexpr bool ROW_SIGMA = false;
using Block = block_q5_K;

static QS_HD void quantizeBlock(const float* x, const float* qw, float, Block* y) {
    uint8_t quants[QK];
    Q4_KCodec::quantizeScales(31, x, qw, quants, y->scales, &y->d, &y->dmin);
    for (int l = 0; l < 32; l++) {
        y->qh[l] = 0;
    }
    for (int c = 0; c < 4; c++) {
        for (int l = 0; l < 32; l++) {
            int a = quants[64 * c + l];
            int b = quants[64 * c + l + 32];
            if (a > 15) {
                a -= 16;
                y->qh[l] |= (uint8_t) (1 << (2 * c));
            }
            if (b > 15) {
                b -= 16;
                y->qh[l] |= (uint8_t) (1 << (2 * c + 1));
            }
            y->qs[32 * c + l] = (uint8_t) (a | b << 4);
        }
    }
}
};

struct Q6_KCodec {
static constexpr int TYPE_ID = 14, QK = QK_K;
static constexpr bool ROW_SIGMA = false;
using Block = block_q6_K;

// quantize_row_q6_K_ref / _impl: the two differ only in make_qx_quants' weights (x², or the raw importance).
static QS_HD void quantizeBlock(const float* x, const float* qw, float, Block* y) {
    int8_t quants[QK];
    float scales[16];
    float maxScale = 0.0f;
    float maxAbsScale = 0.0f;
    for (int ib = 0; ib < 16; ib++) {
        scales[ib] = KQuants::makeQxQuants(16, 32, x + 16 * ib, quants + 16 * ib, qw != nullptr ? qw + 16 * ib : nullptr);
        float absScale = fabsf(scales[ib]);
        if (absScale > maxAbsScale) {
            maxAbsScale = absScale;
            maxScale = scales[ib];
        }
    }
    if (maxAbsScale < KQuants::GROUP_MAX_EPS) {
        memset(y, 0, sizeof(Block));
        return;
    }
    float iscale = -128.0f / maxScale;
    y->d = Fp16::fromFloat(1 / iscale);
    for (int ib = 0; ib < 16; ib++) {
        y->scales[ib] = (int8_t) KQuants::min(127, KQuants::nearestInt(iscale * scales[ib]));
    }
    float d = Fp16::toFloat(y->d);
    for (int j = 0; j < 16; j++) {
        float dj = d * y->scales[j];
        if (dj == 0.0f) {
            continue;
        }
        for (int i = 0; i < 16; i++) {
            int l = KQuants::nearestInt(x[16 * j + i] / dj);
            quants[16 * j + i] = (int8_t) (KQuants::clamp(l, -32, 31) + 32);
        }
    }
    for (int h = 0; h < 2; h++) {
        for (int l = 0; l < 32; l++) {
            const int8_t* q = quants + 128 * h + l;
            y->ql[64 * h + l] = (uint8_t) ((q[0] & 0xF) | (q[64] & 0xF) << 4);
            y->ql[64 * h + 32 + l] = (uint8_t) ((q[32] & 0xF) | (q[96] & 0xF) << 4);
            y->qh[32 * h + l] = (uint8_t) (q[0] >> 4 | (q[32] >> 4) << 2 | (q[64] >> 4) << 4 | (q[96] >> 4) << 6);
        }
    }
}
};

// ---- Rows of blocks ------------------------------------------------------------------------------

// Quantizes block g of a batch of rows laid end to end (blocksPerRow blocks each): what a kernel thread
// does, and what the host harness loops over. importance holds one weight per column (nullptr for the
// _ref quantizers); rowSumSq[r] is row r's Σx² (read only by ROW_SIGMA codecs' importance paths).
template <typename Codec>
QS_HD void quantizeBlockAt(const float* x, const float* importance, const float* rowSumSq, uint8_t* y,
                           long long g, int blocksPerRow) {
    long long row = g / blocksPerRow;
    int column = (int) (g % blocksPerRow) * Codec::QK;
    float sigma2 = 0.0f;
    if (Codec::ROW_SIGMA && importance != nullptr) {
        sigma2 = rowSumSq[row] / (float) ((long long) blocksPerRow * Codec::QK);
    }
    Codec::quantizeBlock(x + g * Codec::QK, importance != nullptr ? importance + column : nullptr, sigma2,
                         reinterpret_cast<typename Codec::Block*>(y) + g);
}

// Σx² of one row, in index order (ggml's sum_x2 of quantize_row_q{4,5}_{0,1}_impl).
QS_HD float rowSumSquares(const float* x, int cols) {
    return KQuants::sumSquares(cols, x);
}

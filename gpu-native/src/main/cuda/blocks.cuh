// ggml's block layouts, byte for byte (shared/spec/ggml-formats.md §3), and the scalar helpers every
// quantizer shares. Compiled twice: by nvcc for the kernels (convert.cu) and by a host C++ compiler for
// the parity harness (src/test/cuda/host_harness.cpp), so every function here is __host__ __device__.
//
// All blocks are little-endian byte arrays with 2-byte alignment at most (an fp16 is a uint16_t), so the
// structs have no padding; the static_asserts pin their sizes to ggml's (and to GgmlType's table, which
// CudaKernels checks again at load time through quantsweep_block_info).
#pragma once

#include <stdint.h>
#include <string.h>
#include <math.h>

#ifdef __CUDACC__
#define QS_HD __host__ __device__ inline
#else
#define QS_HD inline
#endif

constexpr int QK_K = 256;

struct block_q4_0 { uint16_t d; uint8_t qs[16]; };
struct block_q4_1 { uint16_t d; uint16_t m; uint8_t qs[16]; };
struct block_q5_0 { uint16_t d; uint8_t qh[4]; uint8_t qs[16]; };
struct block_q5_1 { uint16_t d; uint16_t m; uint8_t qh[4]; uint8_t qs[16]; };
struct block_q8_0 { uint16_t d; int8_t qs[32]; };
struct block_iq4_nl { uint16_t d; uint8_t qs[16]; };
struct block_q2_K { uint8_t scales[16]; uint8_t qs[64]; uint16_t d; uint16_t dmin; };
struct block_q3_K { uint8_t hmask[32]; uint8_t qs[64]; uint8_t scales[12]; uint16_t d; };
struct block_q4_K { uint16_t d; uint16_t dmin; uint8_t scales[12]; uint8_t qs[128]; };
struct block_q5_K { uint16_t d; uint16_t dmin; uint8_t scales[12]; uint8_t qh[32]; uint8_t qs[128]; };
struct block_q6_K { uint8_t ql[128]; uint8_t qh[64]; int8_t scales[16]; uint16_t d; };
struct block_iq4_xs { uint16_t d; uint16_t scales_h; uint8_t scales_l[4]; uint8_t qs[128]; };

static_assert(sizeof(block_q4_0) == 18, "Q4_0 block is 18 bytes");
static_assert(sizeof(block_q4_1) == 20, "Q4_1 block is 20 bytes");
static_assert(sizeof(block_q5_0) == 22, "Q5_0 block is 22 bytes");
static_assert(sizeof(block_q5_1) == 24, "Q5_1 block is 24 bytes");
static_assert(sizeof(block_q8_0) == 34, "Q8_0 block is 34 bytes");
static_assert(sizeof(block_iq4_nl) == 18, "IQ4_NL block is 18 bytes");
static_assert(sizeof(block_q2_K) == 84, "Q2_K block is 84 bytes");
static_assert(sizeof(block_q3_K) == 110, "Q3_K block is 110 bytes");
static_assert(sizeof(block_q4_K) == 144, "Q4_K block is 144 bytes");
static_assert(sizeof(block_q5_K) == 176, "Q5_K block is 176 bytes");
static_assert(sizeof(block_q6_K) == 210, "Q6_K block is 210 bytes");
static_assert(sizeof(block_iq4_xs) == 136, "IQ4_XS block is 136 bytes");

// The Java class io.quantsweep.quant.numeric.Fp16: ggml's binary16 conversions.
namespace Fp16 {

QS_HD uint32_t bits(float f) {
#ifdef __CUDA_ARCH__
    return __float_as_uint(f);
#else
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
#endif
}

QS_HD float fromBits(uint32_t u) {
#ifdef __CUDA_ARCH__
    return __uint_as_float(u);
#else
    float f;
    memcpy(&f, &u, 4);
    return f;
#endif
}

// ggml_compute_fp32_to_fp16: the scale pair moves the rounding point to binary16's so that one float
// addition rounds to nearest even; needs IEEE multiplies with subnormals kept (nvcc -ftz=false).
QS_HD uint16_t fromFloat(float f) {
    float base = (fabsf(f) * 0x1.0p+112f) * 0x1.0p-110f;
    uint32_t w = bits(f);
    uint32_t shl1 = w + w;
    uint32_t sign = w & 0x80000000u;
#ifdef __CUDA_ARCH__
    // Inputs are finite, so a NaN here comes from a block so large that its sums overflowed (inf - inf,
    // inf / inf). x86 makes such a NaN negative, and the golden build keeps that sign (c9_huge: every
    // NaN scale is 0xFE00); a GPU makes every NaN 0x7FFFFFFF.
    if (shl1 > 0xFF000000u) {
        sign = 0x80000000u;
    }
#endif
    uint32_t bias = shl1 & 0xFF000000u;
    if (bias < 0x71000000u) {
        bias = 0x71000000u;
    }
    base = fromBits((bias >> 1) + 0x07800000u) + base;
    uint32_t b = bits(base);
    uint32_t nonSign = ((b >> 13) & 0x7C00u) + (b & 0x0FFFu);
    return (uint16_t) ((sign >> 16) | (shl1 > 0xFF000000u ? 0x7E00u : nonSign));
}

// Exact, by bits.
QS_HD float toFloat(uint16_t h) {
    uint32_t sign = (uint32_t) (h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1Fu;
    uint32_t mant = h & 0x3FFu;
    if (exp == 0) {
        float v = (float) mant * 0x1.0p-24f;
        return sign != 0 ? -v : v;
    }
    if (exp == 31) {
        return fromBits(sign | 0x7F800000u | (mant << 13) | (mant != 0 ? 0x00400000u : 0u));
    }
    return fromBits(sign | ((exp + 112) << 23) | (mant << 13));
}

}  // namespace Fp16

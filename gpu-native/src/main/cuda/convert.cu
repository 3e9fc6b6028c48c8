// The kernels: one thread per ggml block, any number of rows per launch. Entry points are extern "C"
// so the PTX names are stable; io.quantsweep.gpu.CudaKernels looks them up by name (its table maps
// GgmlType to kernel). Build: gpu-native/build-ptx.sh (nvcc -ptx -arch=compute_80 -fmad=false
// -prec-div=true -prec-sqrt=true -ftz=false); the flags are what makes the result bit-exact.
#include "quantize.cuh"

template <typename Codec>
__device__ void quantizeRows(const float* x, const float* importance, const float* rowSumSq, uint8_t* y,
                             long long nBlocks, int blocksPerRow) {
    long long g = (long long) blockIdx.x * blockDim.x + threadIdx.x;
    if (g < nBlocks) {
        quantizeBlockAt<Codec>(x, importance, rowSumSq, y, g, blocksPerRow);
    }
}

#define QS_KERNEL(name, Codec)                                                                             \
    extern "C" __global__ void name(const float* x, const float* importance, const float* rowSumSq,        \
                                    uint8_t* y, long long nBlocks, int blocksPerRow) {                     \
        quantizeRows<Codec>(x, importance, rowSumSq, y, nBlocks, blocksPerRow);                           \
    }

QS_KERNEL(quantize_q4_0, Q4_0Codec)
QS_KERNEL(quantize_q4_1, Q4_1Codec)
QS_KERNEL(quantize_q5_0, Q5_0Codec)
QS_KERNEL(quantize_q5_1, Q5_1Codec)
QS_KERNEL(quantize_q8_0, Q8_0Codec)
QS_KERNEL(quantize_q2_K, Q2_KCodec)
QS_KERNEL(quantize_q3_K, Q3_KCodec)
QS_KERNEL(quantize_q4_K, Q4_KCodec)
QS_KERNEL(quantize_q5_K, Q5_KCodec)
QS_KERNEL(quantize_q6_K, Q6_KCodec)
QS_KERNEL(quantize_iq4_nl, IQ4_NLCodec)
QS_KERNEL(quantize_iq4_xs, IQ4_XSCodec)

// rowSumSq[r] = Σx² of row r in index order, one thread per row: the σ² that the legacy types'
// importance paths need before their blocks can be quantized independently.
extern "C" __global__ void row_sum_squares(const float* x, float* rowSumSq, int rows, int cols) {
    int r = blockIdx.x * blockDim.x + threadIdx.x;
    if (r < rows) {
        rowSumSq[r] = rowSumSquares(x + (long long) r * cols, cols);
    }
}

template <typename Codec>
__device__ void putInfo(int* out, int i) {
    out[3 * i] = Codec::TYPE_ID;
    out[3 * i + 1] = Codec::QK;
    out[3 * i + 2] = (int) sizeof(typename Codec::Block);
}

// (ggml type id, block elements, block bytes) of every kernel, for the load-time check against GgmlType.
extern "C" __global__ void quantsweep_block_info(int* out) {
    putInfo<Q4_0Codec>(out, 0);
    putInfo<Q4_1Codec>(out, 1);
    putInfo<Q5_0Codec>(out, 2);
    putInfo<Q5_1Codec>(out, 3);
    putInfo<Q8_0Codec>(out, 4);
    putInfo<Q2_KCodec>(out, 5);
    putInfo<Q3_KCodec>(out, 6);
    putInfo<Q4_KCodec>(out, 7);
    putInfo<Q5_KCodec>(out, 8);
    putInfo<Q6_KCodec>(out, 9);
    putInfo<IQ4_NLCodec>(out, 10);
    putInfo<IQ4_XSCodec>(out, 11);
}

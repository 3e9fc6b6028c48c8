#!/usr/bin/env bash
# Regenerates the committed PTX of the kernels from src/main/cuda (needs nvcc 13.x; not run by mvn).
# Usage: gpu-native/build-ptx.sh [OUT]   (default: src/main/resources/io/quantsweep/gpu/quantsweep.ptx)
# PTX from CUDA 13 (ISA 9.x) loads on drivers >= 580 only. The float flags make every operation one
# IEEE binary32 operation (no fused multiply-add, correctly rounded / and sqrt, subnormals kept): the
# condition for bytes identical to ggml's x86-64 build.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/src/main/resources/io/quantsweep/gpu/quantsweep.ptx}"
nvcc="${NVCC:-nvcc}"
mkdir -p "$(dirname "$out")"
cd "$here/src/main/cuda"
"$nvcc" -ptx -arch=compute_80 -std=c++17 -O3 \
    -fmad=false -prec-div=true -prec-sqrt=true -ftz=false \
    -o "$out" convert.cu

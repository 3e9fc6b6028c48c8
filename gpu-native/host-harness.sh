#!/usr/bin/env bash
# Compiles the kernels' block code for the CPU and checks it byte for byte against ggml's golden vectors
# (src/test/cuda/host_harness.cpp). Not part of mvn verify.
# Usage: gpu-native/host-harness.sh [--nvcc] [GOLDEN_DIR]
#   --nvcc      compile with nvcc (host side of the same .cuh files) instead of g++
#   GOLDEN_DIR  default: quant-udf/src/test/resources/golden
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
compiler=g++
if [[ "${1:-}" == "--nvcc" ]]; then
    compiler=nvcc
    shift
fi
golden="${1:-$here/../quant-udf/src/test/resources/golden}"
out="$here/target/host-harness"
mkdir -p "$out"
src="$here/src/test/cuda/host_harness.cpp"
# No contraction into fused multiply-add, no x87 excess precision: every float operation as written.
if [[ "$compiler" == nvcc ]]; then
    "${NVCC:-nvcc}" -x cu -std=c++17 -O2 -Xcompiler -ffp-contract=off -I "$here/src/main/cuda" -o "$out/host_harness_nvcc" "$src"
    exe="$out/host_harness_nvcc"
else
    "${CXX:-g++}" -std=c++17 -O2 -ffp-contract=off -I "$here/src/main/cuda" -o "$out/host_harness_gxx" "$src"
    exe="$out/host_harness_gxx"
fi
echo "compiled with $compiler; golden vectors: $golden"
"$exe" "$golden"

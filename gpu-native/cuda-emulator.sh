#!/usr/bin/env bash
# Builds the CPU emulation of the CUDA driver (src/test/cuda/cuda_driver_emulator.cpp) as OUTDIR/libcuda.so.1,
# with an empty stand-in OUTDIR/libcudart.so.13 for the JavaCPP binding to link against. With
# LD_LIBRARY_PATH=OUTDIR a JVM runs the GPU launcher and the kernels' code on the CPU. mvn verify builds it
# into target/cuda-emulator and runs the GPU tests against it; without g++ it says so and builds nothing.
# Usage: gpu-native/cuda-emulator.sh [OUTDIR]   (default: gpu-native/target/cuda-emulator)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/target/cuda-emulator}"
cxx="${CXX:-g++}"
if ! command -v "$cxx" > /dev/null; then
    echo "cuda-emulator: no $cxx here, so no CUDA driver emulator: the GPU tests will be skipped" >&2
    exit 0
fi
mkdir -p "$out"
# As the host harness: no contraction into fused multiply-add, so the bytes are the PTX's.
"$cxx" -std=c++17 -O2 -ffp-contract=off -fPIC -shared -fvisibility=hidden -fvisibility-inlines-hidden -pthread \
    -I "$here/src/main/cuda" -Wl,-soname,libcuda.so.1 \
    -o "$out/libcuda.so.1.tmp" "$here/src/test/cuda/cuda_driver_emulator.cpp"
# The binding's references into libcudart carry the version node libcudart.so.13; none is ever called.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
printf 'libcudart.so.13 { global: *; };\n' > "$work/libcudart.map"
echo > "$work/libcudart.c"
"$cxx" -x c -shared -fPIC -Wl,-soname,libcudart.so.13 -Wl,--version-script="$work/libcudart.map" \
    -o "$out/libcudart.so.13.tmp" "$work/libcudart.c"
mv "$out/libcuda.so.1.tmp" "$out/libcuda.so.1"
mv "$out/libcudart.so.13.tmp" "$out/libcudart.so.13"

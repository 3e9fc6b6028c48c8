#!/usr/bin/env bash
# Builds the embedded backend's native part into OUTDIR, which mvn packages into the jobs jar:
# - llama.cpp v0.5.0's CPU libraries for Linux x86-64 as node-llama-cpp builds and publishes them (npm package
#   @node-llama-cpp/linux-x64): libggml-base, libggml, libllama and one libggml-cpu-* per instruction set, of which
#   llama.cpp loads the best this CPU runs;
# - our JNI bridge, src/main/native/llama_jni.c, compiled against the same release's headers, taken from the
#   llama.cpp source bundle in npm package node-llama-cpp;
# - libraries.txt, the files the JVM extracts beside each other (the bridge finds the rest through its RUNPATH,
#   llama.cpp its CPU variants in their folder), and build.txt, the llama.cpp release and commit
#   and the package of the binaries.
# The two packages are fetched once with npm into QUANTSWEEP_NATIVE_CACHE (default ~/.cache/quantsweep/native) and
# checked against the SHA-256 below. Needs npm (or that cache), git, a C compiler and a JDK's JNI headers.
# Usage: jobs/llama-native.sh OUTDIR JAVA_HOME
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: llama-native.sh OUTDIR JAVA_HOME}"
jdk="${2:?usage: llama-native.sh OUTDIR JAVA_HOME}"
cache="${QUANTSWEEP_NATIVE_CACHE:-$HOME/.cache/quantsweep/native}"
release=v0.5.0
commit=de3ff815ea7d559ee917f063901b8986f038abc6
binaries=(@node-llama-cpp/linux-x64@3.22.1 node-llama-cpp-linux-x64-3.22.1.tgz
    0d953e1503d5ab4608d8ed5b739132308c81ac05ffeb760d2a7f30e08a9f90e0)
sources=(node-llama-cpp@3.22.1 node-llama-cpp-3.22.1.tgz
    a0d9dd80eacd2ab1cfe71aee57ac8a806487fd70b3d2a38fbec637752d9e5c5f)
cc="${CC:-gcc}"

# the libraries are Linux x86-64's; elsewhere the jar goes without them, and the in-process backend says so
if [[ "$(uname -s) $(uname -m)" != "Linux x86_64" ]]; then
    echo "llama-native: $(uname -s) $(uname -m) is not Linux x86-64: no in-process backend in this build" >&2
    rm -rf "$out"
    mkdir -p "$out"
    exit 0
fi

fail() {
    echo "llama-native: $*" >&2
    exit 1
}

# fetch SPEC FILE SHA256: the npm package SPEC as $cache/FILE, fetched unless a copy with that hash is there;
# packed into a folder of its own in the cache and renamed, so that a build running beside this one never
# reads half a file
fetch() {
    local spec="$1" file="$cache/$2" sum="$3"
    if [[ ! -f "$file" ]] || ! echo "$sum  $file" | sha256sum --check --status; then
        command -v npm > /dev/null || fail "npm is needed once to fetch $spec into $cache (or copy $2 there)"
        mkdir -p "$cache"
        local pack
        pack="$(mktemp -d "$cache/.fetch.XXXXXX")"
        temporary+=("$pack")
        npm pack --silent --pack-destination "$pack" "$spec" > /dev/null || fail "npm pack $spec failed"
        echo "$sum  $pack/$2" | sha256sum --check --status ||
            fail "npm pack $spec gave a file without the SHA-256 this build expects ($sum)"
        mv -f "$pack/$2" "$file"
    fi
}
temporary=()
trap 'rm -rf "${temporary[@]}"' EXIT

fetch "${binaries[@]}"
fetch "${sources[@]}"

headers="$cache/llama.cpp-$release-include"
if [[ ! -f "$headers/include/llama.h" ]]; then
    command -v git > /dev/null || fail "git is needed once to read llama.cpp's headers from its source bundle"
    work="$(mktemp -d "$cache/.headers.XXXXXX")"
    temporary+=("$work")
    tar -xzf "$cache/${sources[1]}" -C "$work" package/llama/gitRelease.bundle
    git init -q "$work/src"
    git -C "$work/src" fetch -q "$work/package/llama/gitRelease.bundle" HEAD
    [[ "$(git -C "$work/src" rev-parse FETCH_HEAD)" == "$commit" ]] || fail "the bundle is not llama.cpp $release ($commit)"
    mkdir -p "$work/include"
    git -C "$work/src" archive FETCH_HEAD include ggml/include | tar -x -C "$work/include"
    # a build beside this one may have put them there first
    mv -T "$work/include" "$headers" 2> /dev/null || [[ -f "$headers/include/llama.h" ]] ||
        fail "cannot put llama.cpp's headers into $headers; remove it and build again"
fi

rm -rf "$out"
mkdir -p "$out"
tar -xzf "$cache/${binaries[1]}" -C "$out" --strip-components=3 --wildcards \
    'package/bins/linux-x64/libggml-base.so' 'package/bins/linux-x64/libggml.*.so' \
    'package/bins/linux-x64/libllama.*.so' 'package/bins/linux-x64/libggml-cpu-*.so'
command -v "$cc" > /dev/null || fail "no C compiler ($cc) to build the JNI bridge"
"$cc" -std=c11 -O2 -fPIC -shared -Wall -Werror \
    -I "$jdk/include" -I "$jdk/include/linux" -I "$headers/include" -I "$headers/ggml/include" \
    -o "$out/libquantsweep-llama.so" "$here/src/main/native/llama_jni.c" \
    -L "$out" -l:libllama.$release.so -l:libggml.$release.so -l:libggml-base.so -Wl,-rpath,'$ORIGIN'
(cd "$out" && ls -1 -- *.so) > "$out/libraries.txt.tmp"
mv "$out/libraries.txt.tmp" "$out/libraries.txt"
printf '%s-%s\n%s\n' "$release" "${commit:0:7}" "${binaries[0]}" > "$out/build.txt"

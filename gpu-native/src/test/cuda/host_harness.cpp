// Runs the kernels' per-block code (src/main/cuda/quantize.cuh) on the CPU over ggml's golden vectors and
// compares bytes: the proof of bit-exactness that needs no GPU, since a kernel thread runs the same
// quantizeBlockAt<Codec> with the same IEEE float semantics (see build-ptx.sh for the nvcc flags).
// Built and run by gpu-native/host-harness.sh, never by Maven.
//
// Usage: host_harness GOLDEN_DIR   (files <case>.f32, <case>.imatrix.f32, <case>.<TYPE>[.imat].bin)
// Prints one line per golden file and a per-type summary; exits 1 on any difference.
#include "quantize.cuh"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

std::vector<char> readFile(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot read " + p.string());
    }
    return std::vector<char>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::vector<float> readFloats(const fs::path& p) {
    std::vector<char> b = readFile(p);
    std::vector<float> f(b.size() / 4);
    memcpy(f.data(), b.data(), f.size() * 4);
    return f;
}

struct Kernel {
    int qk;
    int blockBytes;
    void (*block)(const float*, const float*, const float*, uint8_t*, long long, int);
};

template <typename Codec>
Kernel kernelOf() {
    return {Codec::QK, (int) sizeof(typename Codec::Block), &quantizeBlockAt<Codec>};
}

// The same type -> code table as the Java side's CudaKernels (ggml type names).
const std::map<std::string, Kernel> KERNELS = {
    {"Q4_0", kernelOf<Q4_0Codec>()},     {"Q4_1", kernelOf<Q4_1Codec>()},     {"Q5_0", kernelOf<Q5_0Codec>()},
    {"Q5_1", kernelOf<Q5_1Codec>()},     {"Q8_0", kernelOf<Q8_0Codec>()},     {"Q2_K", kernelOf<Q2_KCodec>()},
    {"Q3_K", kernelOf<Q3_KCodec>()},     {"Q4_K", kernelOf<Q4_KCodec>()},     {"Q5_K", kernelOf<Q5_KCodec>()},
    {"Q6_K", kernelOf<Q6_KCodec>()},     {"IQ4_NL", kernelOf<IQ4_NLCodec>()}, {"IQ4_XS", kernelOf<IQ4_XSCodec>()},
};

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s GOLDEN_DIR\n", argv[0]);
        return 2;
    }
    fs::path dir = argv[1];
    std::regex name(R"(^(c\d+_[a-z0-9]+)\.([A-Z0-9_]+?)(\.imat)?\.bin$)");
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir)) {
        files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    std::map<std::string, std::pair<int, int>> perType;  // passed, total
    int failures = 0;
    for (const fs::path& file : files) {
        std::smatch m;
        std::string fname = file.filename().string();
        if (!std::regex_match(fname, m, name)) {
            continue;
        }
        std::string caseName = m[1];
        std::string type = m[2];
        bool imat = m[3].matched;
        auto k = KERNELS.find(type);
        if (k == KERNELS.end()) {
            printf("%-32s skipped: no kernel for %s\n", fname.c_str(), type.c_str());
            continue;
        }
        std::vector<float> x = readFloats(dir / (caseName + ".f32"));
        std::vector<float> importance = readFloats(dir / (caseName + ".imatrix.f32"));
        int cols = (int) importance.size();
        int rows = (int) (x.size() / cols);
        std::vector<float> rowSumSq(rows);
        for (int r = 0; r < rows; r++) {
            rowSumSq[r] = rowSumSquares(x.data() + (size_t) r * cols, cols);
        }
        int blocksPerRow = cols / k->second.qk;
        long long nBlocks = (long long) rows * blocksPerRow;
        std::vector<uint8_t> ours((size_t) nBlocks * k->second.blockBytes);
        for (long long g = 0; g < nBlocks; g++) {
            k->second.block(x.data(), imat ? importance.data() : nullptr, rowSumSq.data(), ours.data(), g, blocksPerRow);
        }
        std::vector<char> ggml = readFile(file);
        auto& tally = perType[type + (imat ? " imatrix" : "")];
        tally.second++;
        if (ggml.size() != ours.size()) {
            printf("%-32s FAIL: %zu bytes, ggml has %zu\n", fname.c_str(), ours.size(), ggml.size());
            failures++;
            continue;
        }
        size_t diffs = 0;
        size_t first = 0;
        for (size_t i = 0; i < ours.size(); i++) {
            if ((uint8_t) ggml[i] != ours[i]) {
                if (diffs++ == 0) {
                    first = i;
                }
            }
        }
        if (diffs == 0) {
            tally.first++;
            printf("%-32s ok (%zu bytes, %lld blocks)\n", fname.c_str(), ours.size(), nBlocks);
        } else {
            size_t rowBytes = ours.size() / rows;
            printf("%-32s FAIL: %zu bytes differ, first at %zu (row %zu, block %zu, byte %zu)\n", fname.c_str(), diffs,
                   first, first / rowBytes, first % rowBytes / k->second.blockBytes, first % k->second.blockBytes);
            failures++;
        }
    }
    printf("\nper type (identical files / files):\n");
    int total = 0;
    for (const auto& [type, tally] : perType) {
        printf("  %-16s %d/%d\n", type.c_str(), tally.first, tally.second);
        total += tally.second;
    }
    if (total == 0) {
        printf("no golden files found in %s\n", dir.string().c_str());
        return 1;
    }
    printf("%s: %d of %d files differ\n", failures == 0 ? "PASS" : "FAIL", failures, total);
    return failures == 0 ? 0 : 1;
}

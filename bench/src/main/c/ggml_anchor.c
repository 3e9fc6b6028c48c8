// The ggml anchor of scripts/bench-codecs: single-thread throughput of ggml's own ggml_quantize_chunk,
// the function llama-quantize calls per tensor chunk, on the slab and numbers of QuantizeBenchmark
// (2048 x 7168 float32 from a 64-bit LCG with Knuth's MMIX constants, seed 12345, then one importance
// weight per column). Prints one Markdown row per type and importance setting: the best of RUNS
// wall-clock runs, in MB/s of float32 input (10^6 bytes), after one run that is not timed.
// Built and run by scripts/bench-ggml-anchor against a llama.cpp (or ggml) checkout.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "ggml.h"

enum { ROWS = 2048, COLS = 7168, RUNS = 5 };

static double seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static enum ggml_type type_named(const char* name) {
    for (int t = 0; t < GGML_TYPE_COUNT; t++) {
        const char* n = ggml_type_name((enum ggml_type) t);
        if (n != NULL && strcasecmp(n, name) == 0) {
            return (enum ggml_type) t;
        }
    }
    fprintf(stderr, "unknown ggml type %s\n", name);
    exit(2);
}

// ggml ignores the importance vector of these, so they are measured without one only
static int takes_importance(enum ggml_type t) {
    return t != GGML_TYPE_Q8_0 && t != GGML_TYPE_F16 && t != GGML_TYPE_BF16;
}

static double best_mb_per_s(enum ggml_type type, const float* rows, const float* weights, void* out) {
    double best = 1e300;
    for (int run = 0; run <= RUNS; run++) {
        double start = seconds();
        ggml_quantize_chunk(type, rows, out, 0, ROWS, COLS, weights);
        double elapsed = seconds() - start;
        if (run > 0 && elapsed < best) {
            best = elapsed;
        }
    }
    return (double) ROWS * COLS * sizeof(float) / 1e6 / best;
}

int main(int argc, char** argv) {
    static const char* all[] = {"q8_0", "q4_0", "q4_1", "q5_0", "q5_1", "q2_K", "q3_K", "q4_K", "q5_K", "q6_K",
                                "iq4_nl", "iq4_xs", "f16", "bf16"};
    const char** names = argc > 1 ? (const char**) argv + 1 : all;
    int count = argc > 1 ? argc - 1 : (int) (sizeof all / sizeof all[0]);

    float* rows = malloc(sizeof(float) * ROWS * COLS);
    float* weights = malloc(sizeof(float) * COLS);
    uint64_t s = 12345;
    for (long i = 0; i < (long) ROWS * COLS; i++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        rows[i] = ((int32_t) (s >> 33) % 20000 - 10000) * 2e-6f;
    }
    for (int c = 0; c < COLS; c++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        weights[c] = 0.5f + (float) ((s >> 40) % 1000) / 500.0f;
    }
    void* out = malloc(ROWS * COLS * sizeof(float));

    printf("| type | importance | ggml MB/s |\n|---|---|---:|\n");
    for (int i = 0; i < count; i++) {
        enum ggml_type type = type_named(names[i]);
        ggml_quantize_init(type);
        printf("| %s | no | %.0f |\n", names[i], best_mb_per_s(type, rows, NULL, out));
        if (takes_importance(type)) {
            printf("| %s | yes | %.0f |\n", names[i], best_mb_per_s(type, rows, weights, out));
        }
        fflush(stdout);
    }
    free(out);
    free(weights);
    free(rows);
    return 0;
}

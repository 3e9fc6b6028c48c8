// The embedded backend's bridge into llama.cpp's C API (include/llama.h of the release llama-native.sh names):
// the native methods of io.quantsweep.eval.backend.embedded.LlamaNative, thin calls but for the sampler, which
// follows llama-server's. Pointers travel to Java as jlong handles; every other policy (prompt cache, budgets,
// stop strings, log-probabilities) lives in Java.
// A function that fails returns 0, null or a negative count and Java names what failed.
#include <jni.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ggml-backend.h"
#include "ggml.h"
#include "llama.h"

#define JNI_FN(name) Java_io_quantsweep_eval_backend_embedded_LlamaNative_##name

static volatile int log_to_stderr = 0;

static void log_callback(enum ggml_log_level level, const char *text, void *user_data) {
    (void) level;
    (void) user_data;
    if (log_to_stderr) {
        fputs(text, stderr);
    }
}

// A Java byte array of UTF-8 as a C string, to free(); null when out of memory. Text goes to C as bytes: JNI's own
// strings are modified UTF-8, which spells a character above U+FFFF (an emoji) as two 3-byte surrogates.
static char *c_string(JNIEnv *env, jbyteArray utf8) {
    jsize length = (*env)->GetArrayLength(env, utf8);
    char *text = malloc((size_t) length + 1);
    if (text != NULL) {
        (*env)->GetByteArrayRegion(env, utf8, 0, length, (jbyte *) text);
        text[length] = '\0';
    }
    return text;
}

static const struct llama_vocab *vocab_of(jlong model) {
    return llama_model_get_vocab((const struct llama_model *) (intptr_t) model);
}

JNIEXPORT void JNICALL JNI_FN(setLog)(JNIEnv *env, jclass cls, jboolean toStderr) {
    log_to_stderr = toStderr ? 1 : 0;
}

JNIEXPORT jstring JNICALL JNI_FN(init)(JNIEnv *env, jclass cls, jbyteArray backendDir) {
    llama_log_set(log_callback, NULL);
    char *dir = c_string(env, backendDir);
    if (dir == NULL) {
        return NULL;
    }
    ggml_backend_load_all_from_path(dir);
    free(dir);
    llama_backend_init();
    return (*env)->NewStringUTF(env, llama_print_system_info());
}

JNIEXPORT jlong JNICALL JNI_FN(loadModel)(JNIEnv *env, jclass cls, jbyteArray path) {
    struct llama_model_params params = llama_model_default_params();
    params.n_gpu_layers = 0;
    char *file = c_string(env, path);
    struct llama_model *model = file == NULL ? NULL : llama_model_load_from_file(file, params);
    free(file);
    return (jlong) (intptr_t) model;
}

JNIEXPORT void JNICALL JNI_FN(freeModel)(JNIEnv *env, jclass cls, jlong model) {
    llama_model_free((struct llama_model *) (intptr_t) model);
}

JNIEXPORT jint JNICALL JNI_FN(vocabSize)(JNIEnv *env, jclass cls, jlong model) {
    return llama_vocab_n_tokens(vocab_of(model));
}

JNIEXPORT jboolean JNICALL JNI_FN(isEndOfGeneration)(JNIEnv *env, jclass cls, jlong model, jint token) {
    return llama_vocab_is_eog(vocab_of(model), token) ? JNI_TRUE : JNI_FALSE;
}

// llama-server's tokenization of a prompt: the vocabulary's BOS/EOS added, special tokens' text parsed as them.
JNIEXPORT jintArray JNICALL JNI_FN(tokenize)(JNIEnv *env, jclass cls, jlong model, jbyteArray utf8) {
    jsize length = (*env)->GetArrayLength(env, utf8);
    jbyte *text = (*env)->GetByteArrayElements(env, utf8, NULL);
    int32_t capacity = length + 8;
    llama_token *tokens = malloc(sizeof(llama_token) * (size_t) capacity);
    int32_t n = tokens == NULL ? INT32_MIN
            : llama_tokenize(vocab_of(model), (const char *) text, length, tokens, capacity, true, true);
    if (n < 0 && n != INT32_MIN) {
        capacity = -n;
        llama_token *more = realloc(tokens, sizeof(llama_token) * (size_t) capacity);
        n = more == NULL ? INT32_MIN : llama_tokenize(vocab_of(model), (const char *) text, length, more, capacity, true, true);
        tokens = more == NULL ? tokens : more;
    }
    (*env)->ReleaseByteArrayElements(env, utf8, text, JNI_ABORT);
    jintArray out = NULL;
    if (n >= 0) {
        out = (*env)->NewIntArray(env, n);
        if (out != NULL) {
            (*env)->SetIntArrayRegion(env, out, 0, n, tokens);
        }
    }
    free(tokens);
    return out;
}

// A token's bytes as llama-server writes them into answers: special tokens (EOS) as nothing.
JNIEXPORT jbyteArray JNICALL JNI_FN(piece)(JNIEnv *env, jclass cls, jlong model, jint token) {
    char small[64];
    char *buf = small;
    int32_t n = llama_token_to_piece(vocab_of(model), token, buf, sizeof small, 0, false);
    if (n < 0) {
        buf = malloc((size_t) -n);
        if (buf == NULL) {
            return NULL;
        }
        n = llama_token_to_piece(vocab_of(model), token, buf, -n, 0, false);
    }
    jbyteArray out = n < 0 ? NULL : (*env)->NewByteArray(env, n);
    if (out != NULL) {
        (*env)->SetByteArrayRegion(env, out, 0, n, (const jbyte *) buf);
    }
    if (buf != small) {
        free(buf);
    }
    return out;
}

JNIEXPORT jlong JNICALL JNI_FN(newContext)(JNIEnv *env, jclass cls, jlong model, jint contextSize, jint threads) {
    struct llama_context_params params = llama_context_default_params();
    params.n_ctx = (uint32_t) contextSize;
    params.n_seq_max = 1;
    params.n_threads = threads;
    params.n_threads_batch = threads;
    params.no_perf = true;
    return (jlong) (intptr_t) llama_init_from_model((struct llama_model *) (intptr_t) model, params);
}

// The CPU backend's own functions, which llama.cpp loads at run time (one library per instruction set).
static void *cpu_function(const char *name) {
    ggml_backend_dev_t cpu = ggml_backend_dev_by_type(GGML_BACKEND_DEVICE_TYPE_CPU);
    return cpu == NULL ? NULL : ggml_backend_reg_get_proc_address(ggml_backend_dev_backend_reg(cpu), name);
}

// A pool of `threads` threads that stays with the context for its lifetime, as llama-server attaches one (its
// default polling included): without it ggml starts and joins its threads for every decode.
JNIEXPORT jlong JNICALL JNI_FN(attachThreadpool)(JNIEnv *env, jclass cls, jlong context, jint threads) {
    struct ggml_threadpool *(*make)(struct ggml_threadpool_params *) = cpu_function("ggml_threadpool_new");
    if (make == NULL) {
        return 0;
    }
    struct ggml_threadpool_params params = ggml_threadpool_params_default(threads);
    struct ggml_threadpool *pool = make(&params);
    if (pool != NULL) {
        llama_attach_threadpool((struct llama_context *) (intptr_t) context, pool, NULL);
    }
    return (jlong) (intptr_t) pool;
}

JNIEXPORT void JNICALL JNI_FN(freeContext)(JNIEnv *env, jclass cls, jlong context) {
    llama_free((struct llama_context *) (intptr_t) context);
}

JNIEXPORT jint JNICALL JNI_FN(contextSize)(JNIEnv *env, jclass cls, jlong context) {
    return (jint) llama_n_ctx((const struct llama_context *) (intptr_t) context);
}

JNIEXPORT jint JNICALL JNI_FN(batchSize)(JNIEnv *env, jclass cls, jlong context) {
    return (jint) llama_n_batch((const struct llama_context *) (intptr_t) context);
}

// Drops the cache from position `keep` on (everything for 0); false where the memory cannot drop a tail.
JNIEXPORT jboolean JNICALL JNI_FN(keepCache)(JNIEnv *env, jclass cls, jlong context, jint keep) {
    llama_memory_t memory = llama_get_memory((const struct llama_context *) (intptr_t) context);
    if (keep == 0) {
        llama_memory_clear(memory, true);
        return JNI_TRUE;
    }
    return llama_memory_seq_rm(memory, 0, keep, -1) ? JNI_TRUE : JNI_FALSE;
}

// Decodes tokens[from, to) after what the cache holds, with logits for the last one; llama_decode's status.
JNIEXPORT jint JNICALL JNI_FN(decode)(JNIEnv *env, jclass cls, jlong context, jintArray tokens, jint from, jint to) {
    jint *all = (*env)->GetIntArrayElements(env, tokens, NULL);
    struct llama_batch batch = llama_batch_get_one(all + from, to - from);
    int32_t status = llama_decode((struct llama_context *) (intptr_t) context, batch);
    (*env)->ReleaseIntArrayElements(env, tokens, all, JNI_ABORT);
    return status;
}

// The logits after the last decoded token, one per vocabulary entry.
JNIEXPORT jboolean JNICALL JNI_FN(logits)(JNIEnv *env, jclass cls, jlong context, jfloatArray out) {
    float *logits = llama_get_logits_ith((struct llama_context *) (intptr_t) context, -1);
    if (logits == NULL) {
        return JNI_FALSE;
    }
    (*env)->SetFloatArrayRegion(env, out, 0, (*env)->GetArrayLength(env, out), logits);
    return JNI_TRUE;
}

// A sampler as llama-server's common_sampler keeps one: the chain for these settings, penalties left off as its
// defaults leave them (greedy at temperature 0, else top-k, top-p, min-p, temperature and a seeded draw), and the
// grammar apart from it, consulted as llama-server consults it (see sample).
struct sampler {
    struct llama_sampler *chain;
    struct llama_sampler *grammar; // NULL without one
    llama_token_data *candidates;  // one per vocabulary entry
    int32_t vocab;
};

static void free_sampler(struct sampler *s) {
    if (s->grammar != NULL) {
        llama_sampler_free(s->grammar);
    }
    llama_sampler_free(s->chain);
    free(s->candidates);
    free(s);
}

JNIEXPORT jlong JNICALL JNI_FN(newSampler)(JNIEnv *env, jclass cls, jlong model, jfloat temperature, jint topK,
        jfloat topP, jfloat minP, jint seed, jbyteArray grammar) {
    struct sampler *s = calloc(1, sizeof *s);
    if (s == NULL) {
        return 0;
    }
    struct llama_sampler_chain_params params = llama_sampler_chain_default_params();
    params.no_perf = true;
    s->chain = llama_sampler_chain_init(params);
    s->vocab = llama_vocab_n_tokens(vocab_of(model));
    s->candidates = malloc(sizeof(llama_token_data) * (size_t) s->vocab);
    if (temperature <= 0) {
        llama_sampler_chain_add(s->chain, llama_sampler_init_greedy());
    } else {
        llama_sampler_chain_add(s->chain, llama_sampler_init_top_k(topK));
        llama_sampler_chain_add(s->chain, llama_sampler_init_top_p(topP, 1));
        llama_sampler_chain_add(s->chain, llama_sampler_init_min_p(minP, 1));
        llama_sampler_chain_add(s->chain, llama_sampler_init_temp(temperature));
        llama_sampler_chain_add(s->chain, llama_sampler_init_dist((uint32_t) seed));
    }
    if (grammar != NULL) {
        char *text = c_string(env, grammar);
        s->grammar = text == NULL ? NULL : llama_sampler_init_grammar(vocab_of(model), text, "root");
        free(text);
    }
    if (s->candidates == NULL || (grammar != NULL && s->grammar == NULL)) {
        free_sampler(s);
        return 0;
    }
    return (jlong) (intptr_t) s;
}

JNIEXPORT void JNICALL JNI_FN(freeSampler)(JNIEnv *env, jclass cls, jlong sampler) {
    free_sampler((struct sampler *) (intptr_t) sampler);
}

static llama_token_data_array candidates(struct sampler *s, const float *logits) {
    for (int32_t i = 0; i < s->vocab; i++) {
        s->candidates[i] = (llama_token_data) {i, logits[i], 0.0f};
    }
    return (llama_token_data_array) {s->candidates, (size_t) s->vocab, -1, false};
}

// Samples the next token from the last decoded logits, as llama-server's common_sampler_sample does: the chain
// draws first, and only a token the grammar refuses makes it draw again from what the grammar allows (the whole
// vocabulary through the grammar costs 22 ms a token at 32,000 entries). Both accept the token; -1 without logits.
JNIEXPORT jint JNICALL JNI_FN(sample)(JNIEnv *env, jclass cls, jlong sampler, jlong context) {
    struct sampler *s = (struct sampler *) (intptr_t) sampler;
    const float *logits = llama_get_logits_ith((struct llama_context *) (intptr_t) context, -1);
    if (logits == NULL) {
        return -1;
    }
    llama_token_data_array cur = candidates(s, logits);
    llama_sampler_apply(s->chain, &cur);
    llama_token token = cur.data[cur.selected].id;
    if (s->grammar != NULL) {
        llama_token_data single = {token, 1.0f, 0.0f};
        llama_token_data_array one = {&single, 1, -1, false};
        llama_sampler_apply(s->grammar, &one);
        if (single.logit == -INFINITY) {
            cur = candidates(s, logits);
            llama_sampler_apply(s->grammar, &cur);
            llama_sampler_apply(s->chain, &cur);
            token = cur.data[cur.selected].id;
        }
        llama_sampler_accept(s->grammar, token);
    }
    llama_sampler_accept(s->chain, token);
    return token;
}

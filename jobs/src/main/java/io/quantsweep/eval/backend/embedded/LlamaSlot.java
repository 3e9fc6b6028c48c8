package io.quantsweep.eval.backend.embedded;

import io.quantsweep.eval.backend.BackendException;
import io.quantsweep.eval.backend.BackendException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A loaded model's one llama.cpp context and the tokens its KV cache holds, as a llama-server slot
 * keeps them: a prompt that starts as the cached tokens do is evaluated from where they part, when
 * the variant reuses the cache. Callers hold {@link EmbeddedEngine#INFERENCE}.
 */
final class LlamaSlot {
    private final long model;
    private final long context;
    private final String describe;
    private final int size;
    private final int batch;
    private final float[] logits;
    private int[] cached = new int[0];
    private int cachedLength;

    /**
     * @param describe names the model in errors
     */
    LlamaSlot(long model, long context, String describe) {
        this.model = model;
        this.context = context;
        this.describe = describe;
        this.size = LlamaNative.contextSize(context);
        this.batch = LlamaNative.batchSize(context);
        this.logits = new float[LlamaNative.vocabSize(model)];
    }

    /** The context's size in tokens. */
    int size() {
        return size;
    }

    int[] tokenize(String prompt) throws BackendException {
        int[] tokens = LlamaNative.tokenize(model, prompt.getBytes(StandardCharsets.UTF_8));
        if (tokens == null) {
            throw failure("tokenizing the prompt failed");
        }
        return tokens;
    }

    /**
     * Evaluates {@code prompt}, from the end of its common prefix with the cache where {@code reuse}, else
     * from an empty cache, so that {@link #logits} are those after its last token. At least that last
     * token is evaluated again: the cache keeps no logits.
     */
    void prompt(int[] prompt, boolean reuse) throws BackendException {
        if (prompt.length == 0) {
            throw new BackendException(Reason.REJECTED, "the prompt has no tokens, so " + describe + " has nothing to continue");
        }
        int keep = 0;
        if (reuse) {
            int common = Arrays.mismatch(cached, 0, cachedLength, prompt, 0, prompt.length);
            keep = Math.min(common < 0 ? cachedLength : common, prompt.length - 1);
        }
        if (!LlamaNative.keepCache(context, keep)) {
            LlamaNative.keepCache(context, 0);
            keep = 0;
        }
        cachedLength = keep;
        for (int from = keep; from < prompt.length; from += batch) {
            decode(prompt, from, Math.min(prompt.length, from + batch));
        }
    }

    /** Evaluates {@code token} after the cache's tokens. */
    void accept(int token) throws BackendException {
        decode(new int[] {token}, 0, 1);
    }

    private void decode(int[] tokens, int from, int to) throws BackendException {
        int status = LlamaNative.decode(context, tokens, from, to);
        if (status != 0) {
            BackendException failure = failure("llama_decode of %d tokens after %d cached ones returned %d (%s)".formatted(
                    to - from, cachedLength, status, status == 1 ? "no room in the KV cache" : "an error; native-log: stderr says which"));
            cachedLength = 0;
            LlamaNative.keepCache(context, 0);
            throw failure;
        }
        if (cachedLength + to - from > cached.length) {
            cached = Arrays.copyOf(cached, Math.max(cachedLength + to - from, 2 * cached.length));
        }
        System.arraycopy(tokens, from, cached, cachedLength, to - from);
        cachedLength += to - from;
    }

    /** The logits after the last evaluated token; the array is reused by the next call. */
    float[] logits() throws BackendException {
        if (!LlamaNative.logits(context, logits)) {
            throw failure("llama.cpp has no logits after the last token");
        }
        return logits;
    }

    /** A sampler over this model's vocabulary; see {@link LlamaNative#newSampler}. Free it with {@link #free}. */
    long sampler(float temperature, int topK, float topP, float minP, int seed, String grammar) throws BackendException {
        long sampler = LlamaNative.newSampler(model, temperature, topK, topP, minP, seed,
                grammar == null ? null : grammar.getBytes(StandardCharsets.UTF_8));
        if (sampler == 0) {
            throw failure(grammar == null ? "llama.cpp made no sampler" : "llama.cpp did not accept the grammar " + grammar);
        }
        return sampler;
    }

    /** Samples the next token after the last evaluated one. */
    int sample(long sampler) throws BackendException {
        int token = LlamaNative.sample(sampler, context);
        if (token < 0) {
            throw failure("llama.cpp has no logits after the last token to sample from");
        }
        return token;
    }

    static void free(long sampler) {
        LlamaNative.freeSampler(sampler);
    }

    boolean endsGeneration(int token) {
        return LlamaNative.isEndOfGeneration(model, token);
    }

    /** The bytes {@code token} adds to an answer. */
    byte[] piece(int token) throws BackendException {
        byte[] piece = LlamaNative.piece(model, token);
        if (piece == null) {
            throw failure("llama.cpp has no text for token " + token);
        }
        return piece;
    }

    private BackendException failure(String what) {
        return new BackendException(Reason.ENGINE_FAILURE, what + " in " + describe);
    }
}

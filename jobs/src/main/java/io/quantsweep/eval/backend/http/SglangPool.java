package io.quantsweep.eval.backend.http;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What SGLang's KV cache lets one request fill, read from its {@code GET /server_info} (or {@code /get_server_info}).
 *
 * <p>SGLang checks a request's prompt and {@code max_new_tokens} against the model's context (its
 * {@code context_len}, the {@code max_model_len} of {@code /v1/models}) when it takes the request and
 * refuses it beyond that. Its scheduler then cuts {@code max_new_tokens}, without an error or a log line, to
 * what its KV cache pool holds beside the prompt: the answer stops there with {@code finish_reason: length},
 * as one that used its max-tokens does. The pool can be smaller than the context (a small
 * {@code --mem-fraction-static} or {@code --max-total-tokens}, a large model on little memory), so a request
 * has the smaller of the two.
 *
 * <p>Every SGLang whose info answer says its {@code version} puts its scheduler's start-up
 * numbers at the top level: {@code max_total_num_tokens}, the pool, and {@code max_req_input_len}, which
 * the scheduler derives as {@code max_req_len - 5} with {@code max_req_len = min(context_len, pool) - 1}
 * (for a sliding-window hybrid, the full-attention pool). The scheduler cuts {@code max_new_tokens} to
 * {@code max_req_len - 1 - prompt} and, in newer builds, also to
 * {@code pool - (prompt rounded up to a page) - page_size - 1}, beyond which older ones queue the request
 * and never run it. Prompt and answer together thus get {@code min(max_req_len - 1, pool - 2 * page_size)}
 * tokens: two below {@code max_model_len} where the pool is larger than the context.
 *
 * @param maxReqInputLen {@code max_req_input_len}; 0 where the server does not say it
 * @param pool           {@code max_total_num_tokens}; 0 where the server does not say it
 * @param pageSize       {@code page_size}; 1, SGLang's default, where the server does not say it
 */
record SglangPool(int maxReqInputLen, int pool, int pageSize) {
    /** What {@code max_req_input_len} leaves out of {@code max_req_len}. */
    private static final int INPUT_MARGIN = 5;

    /**
     * Reads {@code info}, SGLang's {@code /server_info} answer. A value that is not a positive integer
     * counts as not said, as {@code max_model_len} does: a proxy that answers for SGLang may leave fields out.
     */
    static SglangPool of(JsonNode info) {
        int page = HttpBackend.tokenCount(info.path("page_size"));
        return new SglangPool(HttpBackend.tokenCount(info.path("max_req_input_len")),
                HttpBackend.tokenCount(info.path("max_total_num_tokens")), page > 0 ? page : 1);
    }

    /**
     * The tokens one request's prompt and answer get together on a server whose {@code /v1/models} says
     * {@code maxModelLen} (0 where it does not): the smaller of that and what the pool allows, or 0 where
     * the server says none of them.
     */
    int requestContext(int maxModelLen) {
        int byLength = maxReqInputLen > 0 ? maxReqInputLen + INPUT_MARGIN - 1 : 0;
        // a pool of two pages leaves a request nothing: 1, not 0, so that the checks refuse it rather than skip it
        int byPool = pool > 0 ? Math.max(1, pool - 2 * pageSize) : 0;
        return smallerKnown(maxModelLen, smallerKnown(byLength, byPool));
    }

    /** The smaller of two token counts, 0 standing for one not known. */
    private static int smallerKnown(int a, int b) {
        return a == 0 ? b : b == 0 ? a : Math.min(a, b);
    }
}

package io.quantsweep.eval.sweep;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The HTTP APIs an endpoint may speak. */
public enum EndpointApi {
    /** llama.cpp's native {@code /completion} (with {@code n_probs}, {@code grammar}). */
    LLAMA_SERVER("llama-server"),
    /** OpenAI-compatible {@code /v1/completions}. */
    OPENAI_COMPLETIONS("openai-completions"),
    /** OpenAI-compatible {@code /v1/chat/completions}. */
    OPENAI_CHAT("openai-chat");

    private final String id;

    EndpointApi(String id) {
        this.id = id;
    }

    /** The name in sweep files. */
    public String id() {
        return id;
    }

    /** Whether requests must name a model (the OpenAI-style APIs do; llama-server serves one). */
    public boolean needsModel() {
        return this != LLAMA_SERVER;
    }

    public static EndpointApi parse(String id) {
        for (EndpointApi a : values()) {
            if (a.id.equals(id)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown api '" + id + "', one of "
                + Arrays.stream(values()).map(EndpointApi::id).collect(Collectors.joining(", ")));
    }
}

package io.quantsweep.eval.backend.http;

/** Which of a server's generation APIs the backend calls. */
public enum Api {
    /** llama-server's own {@code POST /completion} ({@code n_predict}, {@code n_probs}, {@code cache_prompt}). */
    NATIVE("/completion"),
    /** OpenAI-compatible {@code POST /v1/completions}: the prompt goes as it is. */
    COMPLETIONS("/v1/completions"),
    /** OpenAI-compatible {@code POST /v1/chat/completions}: the prompt goes as one user message. */
    CHAT("/v1/chat/completions");

    private final String path;

    Api(String path) {
        this.path = path;
    }

    public String path() {
        return path;
    }
}

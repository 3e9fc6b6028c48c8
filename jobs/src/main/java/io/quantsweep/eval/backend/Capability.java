package io.quantsweep.eval.backend;

/** One thing a {@link Backend} may be able to do; a sweep names the ones it needs before it starts. */
public enum Capability {
    GENERATE("generate text"),
    CHOOSE("choose among fixed answers under a grammar"),
    TOP_K("give the top-K next-token distribution (log-probabilities)"),
    TOKEN_LOGPROBS("give the log-probability of each generated token"),
    /**
     * Send a prompt as the raw text it is: what a prompt that carries its own chat markup, or a passage
     * whose next token is compared, needs. A chat API wraps it in the server's template.
     */
    RAW_PROMPT("take a prompt as raw text, with no chat template added");

    private final String description;

    Capability(String description) {
        this.description = description;
    }

    /** What the capability does, for refusal messages. */
    public String description() {
        return description;
    }
}

package io.quantsweep.eval.backend;

import java.io.Serializable;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One generated answer.
 *
 * @param text          the generated text, without the prompt
 * @param tokens        generated tokens as the backend counts them (llama.cpp's {@code tokens_predicted},
 *                      OpenAI's {@code usage.completion_tokens})
 * @param finishReason  why generation ended
 * @param latency       wall time of the call that succeeded (retries and waits not included)
 * @param tokenLogprobs each generated token with its log-probability, when asked for and given; else empty
 * @param attempts      tries it took, the one that succeeded included (1 without retries)
 */
public record Completion(String text, int tokens, FinishReason finishReason, Duration latency,
                         List<TokenLogprob> tokenLogprobs, int attempts) implements Serializable {
    public Completion {
        Objects.requireNonNull(text, "text");
        Objects.requireNonNull(finishReason, "finishReason");
        Objects.requireNonNull(latency, "latency");
        if (tokens < 0) {
            throw new IllegalArgumentException("token count must be >= 0, not " + tokens);
        }
        tokenLogprobs = List.copyOf(tokenLogprobs);
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be >= 1, not " + attempts);
        }
    }
}
